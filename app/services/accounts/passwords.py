"""Password hashing: argon2id for new hashes; Django's PBKDF2 accepted for imports.

Managair stored ``pbkdf2_sha256$<iterations>$<salt>$<base64 digest>``. Such hashes
verify here and ``needs_rehash`` says to replace them with argon2id at next login.

Hashing and verifying take tens of milliseconds of CPU with the GIL released; under
a gevent worker they run on a native thread (:func:`~app.services.ops.cooperative.
off_the_loop`) so a log-in does not hold up the worker's other requests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.services.ops.cooperative import off_the_loop

_hasher = PasswordHasher()
DJANGO_PBKDF2 = "pbkdf2_sha256"
UNUSABLE = "!"
#: The iteration counts a Django PBKDF2 hash may have here: Django used 10,000 to
#: 1,000,000 (one per release); a count outside these verifies nothing, so that a
#: hash imported with 0 or 10**20 rounds is no 500 and a huge count no log-in that
#: holds a worker for minutes.
DJANGO_ITERATIONS = range(1, 10_000_001)


def hash_password(password: str) -> str:
    """Return an argon2id hash of ``password``."""
    return off_the_loop(_hasher.hash, password)


def verify_password(stored: str, password: str) -> bool:
    """Tell whether ``password`` matches the stored hash (argon2id or Django PBKDF2)."""
    if not stored or stored.startswith(UNUSABLE):
        return False
    if stored.startswith(DJANGO_PBKDF2 + "$"):
        return _verify_django_pbkdf2(stored, password)
    try:
        return off_the_loop(_hasher.verify, stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Tell whether a stored hash should be replaced by a fresh argon2id hash."""
    if stored.startswith(DJANGO_PBKDF2 + "$"):
        return True
    try:
        return _hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def _verify_django_pbkdf2(stored: str, password: str) -> bool:
    if not django_hash_can_verify(stored):
        return False
    _, iterations, salt, digest = stored.split("$", 3)
    rounds = int(iterations)
    computed = off_the_loop(
        hashlib.pbkdf2_hmac, "sha256", password.encode(), salt.encode(), rounds
    )
    return hmac.compare_digest(base64.b64encode(computed).decode("ascii"), digest)


def django_hash_can_verify(stored: str) -> bool:
    """Whether a Django PBKDF2 hash is well formed, with rounds in
    :data:`DJANGO_ITERATIONS` (the importer reports any other as "must reset")."""
    parts = stored.split("$", 3)
    if len(parts) != 4 or parts[0] != DJANGO_PBKDF2:
        return False
    rounds = parts[1]
    return rounds.isascii() and rounds.isdigit() and int(rounds) in DJANGO_ITERATIONS


def fingerprint(user_id: int, stored: str, secret: str) -> str:
    """Return a keyed digest of a user's stored hash, for credentials tied to it.

    Sessions and bearer tokens carry it and stop verifying when the password
    changes, as Django's session auth hash does. It reveals nothing about the hash.
    """
    message = f"{user_id}:{stored}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:24]
