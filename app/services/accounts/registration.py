"""Sign-up and e-mail verification with signed, expiring confirmation keys.

A confirmation key names the user and the address to confirm, so the same
mechanism confirms the address given at sign-up and a new address a user
switches to (the stored address changes only when the new one is confirmed).

Sign-up never tells whether an address has an account: a taken address is
answered like a new one (at the same cost: the password is hashed either way)
and its owner is mailed a notice instead of a confirmation link. A taken
username is still a conflict: usernames are chosen, shown to fellow members and
not a way to reach anyone, and a sign-up form must be able to say "pick another".
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import ConflictError, ValidationError
from app.models import User
from app.services.accounts import mail_throttle, signed
from app.services.accounts.mail_throttle import MailLimits
from app.services.accounts.password_policy import NewPassword, check_new_password
from app.services.accounts.passwords import hash_password
from app.services.accounts.profile import check_username, username_claim
from app.services.accounts.users import NewUser, create_user
from app.services.unique import constraint_of

SALT = "airq.email-confirmation"
CONFIRMATION_MAX_AGE_S = 3 * 24 * 3600
EMAIL_POINTER = "/data/attributes/email"


@dataclass(frozen=True)
class Registration:
    """A sign-up: the new account's names, address, password and language."""

    username: str
    email: str
    new: NewPassword
    locale: str | None = None


@dataclass(frozen=True)
class SignUp:
    """What a sign-up did: created ``user``, or found ``user`` owning the address.

    Callers answer both alike and differ only in the mail they send; ``email``
    is the address as typed (normalized), which they may show back. ``mail``
    is False when the address had its share of sign-up mails this window: no
    mail goes out, and the answer is the same.
    """

    user: User
    created: bool
    email: str
    mail: bool = True


def register(session: Session, registration: Registration, verified: bool) -> SignUp:
    """Create an account unless the address has one (flushes).

    The new account's address is unverified unless ``verified``.

    Raises:
        ValidationError: a malformed username or address, or a weak password.
        ConflictError: the username is taken (a taken address is no error).
    """
    username = check_username(session, registration.username, None)
    email = valid_email(registration.email)
    check_new_password(registration.new, username=username, email=email)
    owner = _owner_of(session, email, None)
    if owner is not None:
        hash_password(registration.new.password1)  # cost like a creation's
        return SignUp(owner, created=False, email=email)
    new = NewUser(
        username=username,
        email=email,
        password=registration.new.password1,
        email_verified=verified,
    )
    try:
        with session.begin_nested():
            user = create_user(session, new)
    except IntegrityError as exc:
        # A concurrent sign-up committed the name or the address first.
        if constraint_of(exc) == "uq_users_username":
            raise username_claim().refusal() from None
        owner = _owner_of(session, email, None)
        if constraint_of(exc) != "uq_users_email_lower" or owner is None:
            raise
        return SignUp(owner, created=False, email=email)
    user.locale = registration.locale
    session.flush()
    return SignUp(user, created=True, email=email)


def sign_up(
    session: Session,
    registration: Registration,
    limits: MailLimits,
    address: str,
    now: datetime,
) -> SignUp:
    """Sign up from the client ``address``, counting the request and the mail (flushes).

    Raises:
        ThrottledError: this client address signed up too often (429).
        ValidationError: a malformed username or address, or a weak password.
        ConflictError: the username is taken.
    """
    mail_throttle.count_request(session, limits, mail_throttle.SIGN_UP, address, now)
    done = register(session, registration, verified=False)
    allowed = mail_throttle.may_mail(
        session, limits, mail_throttle.SIGN_UP, done.email, now
    )
    return replace(done, mail=allowed)


def check_new_email(
    session: Session, email: str, exclude_id: int | None, pointer: str = EMAIL_POINTER
) -> str:
    """Return ``email`` normalized if it is well-formed and no other account has it.

    Raises:
        ValidationError: the address is malformed.
        ConflictError: another account uses it.
    """
    address = valid_email(email, pointer)
    if _owner_of(session, address, exclude_id) is not None:
        raise ConflictError(
            gettext("A user is already registered with this e-mail address."),
            pointer,
        )
    return address


def valid_email(email: str, pointer: str = EMAIL_POINTER) -> str:
    """Return ``email`` normalized.

    Raises:
        ValidationError: the address is malformed.
    """
    try:
        normalized = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(
            gettext("Enter a valid e-mail address."), pointer
        ) from None
    address: str = normalized.normalized
    return address


def _owner_of(session: Session, address: str, exclude_id: int | None) -> User | None:
    taken = select(User).where(func.lower(User.email) == address.lower())
    if exclude_id is not None:
        taken = taken.where(User.id != exclude_id)
    return session.scalars(taken).first()


def confirmation_key(user: User, secret: str, email: str | None = None) -> str:
    """Return the key that confirms ``email`` (default: the user's) for ``user``."""
    return signed.sign(secret, SALT, [user.id, email or user.email])


def confirm_email(session: Session, key: str, secret: str) -> User:
    """Mark the address named by ``key`` verified, switching to it if new (flushes).

    Raises:
        ValidationError: the key is forged, malformed or expired (``/data/attributes/key``).
        ConflictError: another account took the address meanwhile.
    """
    user, email = confirmation_of(session, key, secret)
    if user.email.lower() != email.lower():
        user.email = check_new_email(session, email, user.id)
    user.email_verified = True
    session.flush()
    return user


def confirmation_of(session: Session, key: str, secret: str) -> tuple[User, str]:
    """Return the active user a confirmation key was made for, and its address.

    Raises:
        ValidationError: the key is forged, malformed or expired.
    """
    payload = signed.unsign(secret, SALT, key, CONFIRMATION_MAX_AGE_S)
    match payload:
        case [int(user_id), str(email)]:
            user = session.get(User, user_id)
            if user is not None and user.is_active:
                return user, email
    raise ValidationError(
        gettext(
            "This e-mail confirmation link expired or is invalid. "
            "Please request a new one."
        ),
        "/data/attributes/key",
    )


def request_confirmation(
    session: Session, limits: MailLimits, email: str, address: str, now: datetime
) -> User | None:
    """Count a request to mail ``email``'s confirmation link again from ``address``.

    Returns the unverified account to mail, if any: None also when the address
    had its share of confirmation mails this window (the requester is answered
    alike). Every request counts, found or not (flushes).

    Raises:
        ThrottledError: this client address asked too often (429).
    """
    purpose = mail_throttle.CONFIRMATION
    if not mail_throttle.admit(session, limits, purpose, email, address, now):
        return None
    return find_unverified(session, email)


@dataclass(frozen=True)
class OwnConfirmation:
    """A signed-in user's request for a confirmation link.

    ``email`` is the address to confirm (normalized); ``mail`` is False when it
    had its share of confirmation mails this window: no mail goes out, and the
    answer is the same.
    """

    email: str
    mail: bool


def request_own_confirmation(
    session: Session,
    limits: MailLimits,
    user: User,
    email: str | None,
    address: str,
    now: datetime,
) -> OwnConfirmation:
    """Count ``user``'s request from ``address`` to mail the link confirming
    ``email`` (a new address), or their own address again (None) (flushes).

    The same limits as the anonymous resend: a signed-in user cannot flood an
    address by switching to it again and again.

    Raises:
        ValidationError: the new address is malformed.
        ConflictError: another account uses the new address.
        ThrottledError: this client address asked too often (429).
    """
    target = user.email if email is None else check_new_email(session, email, user.id)
    purpose = mail_throttle.CONFIRMATION
    allowed = mail_throttle.admit(session, limits, purpose, target, address, now)
    return OwnConfirmation(target, allowed)


def find_unverified(session: Session, email: str) -> User | None:
    """Return the active account with the unverified address ``email``, if any."""
    return session.scalars(
        select(User).where(
            func.lower(User.email) == email.strip().lower(),
            User.is_active,
            User.email_verified.is_(False),
        )
    ).first()
