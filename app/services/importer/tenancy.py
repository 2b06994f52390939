"""Loaders for Managair's people: ``auth.user``, ``account.emailaddress``,
``core.organization`` and ``core.membership``.

Password hashes are kept as they are: Django's ``pbkdf2_sha256`` hashes verify
at login and are replaced by argon2id then (:mod:`app.services.accounts.passwords`);
users with other hash schemes are reported, as they must reset their password.
allauth's e-mail addresses set each user's ``email`` and ``email_verified``
(the primary address wins; without one, a verified one).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, false, update
from sqlalchemy.orm import Session

from app.models import Membership, Organization, Role, User
from app.services.accounts.passwords import (
    DJANGO_PBKDF2,
    UNUSABLE,
    django_hash_can_verify,
)
from app.services.importer.registry import (
    FixtureImportError,
    LoadResult,
    Record,
    UpsertCounts,
    register,
    require_present,
    table_of,
    upsert_rows,
)

USERS = table_of(User)
ORGANIZATIONS = table_of(Organization)
MEMBERSHIPS = table_of(Membership)

#: Managair's removed ASSISTANT role became INSPECTOR (its migration 0004).
ROLE_CODES = {"O": Role.OWNER, "I": Role.INSPECTOR, "A": Role.INSPECTOR}


@register("auth.user", order=100, tables=(USERS,), target=USERS)
def load_users(session: Session, records: Sequence[Record]) -> LoadResult:
    """Import Django users with their password hashes.

    A changed e-mail address loses its verification until allauth's addresses
    (``account.emailaddress``) confirm it again.

    Raises:
        FixtureImportError: a field is missing or malformed.
    """
    rows = [_user_row(r) for r in records]
    counts = upsert_rows(
        session,
        USERS,
        rows,
        also_set=lambda excluded: {
            "email_verified": case(
                (USERS.c.email == excluded.email, USERS.c.email_verified),
                else_=false(),
            )
        },
    )
    foreign = sum(1 for row in rows if not _usable_here(row["password_hash"]))
    notes = (
        [f"{foreign} users have password hashes of another scheme; they must reset"]
        if foreign
        else []
    )
    return LoadResult.of(counts, notes)


@register("account.emailaddress", order=110, refs={"user": "auth.user"})
def load_email_addresses(session: Session, records: Sequence[Record]) -> LoadResult:
    """Set each user's e-mail address and its verification from allauth's rows.

    Raises:
        FixtureImportError: a field is missing, or the user does not exist.
    """
    chosen: dict[int, Record] = {}
    for record in sorted(records, key=_preference):
        chosen.setdefault(_int(record, "user"), record)
    require_present(session, USERS, chosen, chosen)
    changed = 0
    for user_id, record in sorted(chosen.items()):
        email = _text(record, "email")
        verified = bool(record.field("verified"))
        result = session.execute(
            update(User)
            .where(
                User.id == user_id,
                (User.email != email) | (User.email_verified != verified),
            )
            .values(email=email, email_verified=verified)
        )
        changed += int(getattr(result, "rowcount", 0) or 0)
    skipped = len(records) - len(chosen)
    notes = [f"{skipped} secondary addresses not kept"] if skipped else []
    return LoadResult.of(UpsertCounts(0, changed, len(chosen) - changed), notes)


@register("core.organization", order=120, tables=(ORGANIZATIONS,), target=ORGANIZATIONS)
def load_organizations(session: Session, records: Sequence[Record]) -> LoadResult:
    """Import organizations.

    Raises:
        FixtureImportError: a field is missing or malformed.
    """
    rows = [
        {
            "id": _pk(r),
            "name": _text(r, "name"),
            "description": _optional_text(r, "description"),
        }
        for r in records
    ]
    return LoadResult.of(upsert_rows(session, ORGANIZATIONS, rows))


@register(
    "core.membership",
    order=130,
    tables=(MEMBERSHIPS,),
    target=MEMBERSHIPS,
    refs={"user": "auth.user", "organization": "core.organization"},
)
def load_memberships(session: Session, records: Sequence[Record]) -> LoadResult:
    """Import memberships; the old ASSISTANT role becomes INSPECTOR.

    Raises:
        FixtureImportError: a field is missing or malformed, or the user or
            organization does not exist.
    """
    rows = [_membership_row(r) for r in records]
    by_user = {row["user_id"]: r for row, r in zip(rows, records, strict=True)}
    by_org = {row["organization_id"]: r for row, r in zip(rows, records, strict=True)}
    require_present(session, USERS, by_user, by_user)
    require_present(session, ORGANIZATIONS, by_org, by_org)
    assistants = sum(1 for r in records if r.field("role") == "A")
    notes = [f"{assistants} ASSISTANT roles became INSPECTOR"] if assistants else []
    return LoadResult.of(upsert_rows(session, MEMBERSHIPS, rows), notes)


def _user_row(r: Record) -> dict[str, Any]:
    return {
        "id": _pk(r),
        "username": _text(r, "username"),
        "email": _text(r, "email"),
        "first_name": _text(r, "first_name"),
        "last_name": _text(r, "last_name"),
        "password_hash": _text(r, "password"),
        "is_active": bool(r.field("is_active")),
        "is_staff": bool(r.field("is_staff")),
        "is_superuser": bool(r.field("is_superuser")),
        "date_joined": _time(r, "date_joined"),
        "last_login": _time(r, "last_login") if r.fields.get("last_login") else None,
    }


def _membership_row(r: Record) -> dict[str, Any]:
    code = r.field("role")
    if code not in ROLE_CODES:
        raise FixtureImportError(f"{r}: unknown role {code!r}.")
    return {
        "id": _pk(r),
        "role": ROLE_CODES[code],
        "user_id": _int(r, "user"),
        "organization_id": _int(r, "organization"),
    }


def _usable_here(stored: str) -> bool:
    if stored.startswith(DJANGO_PBKDF2 + "$"):
        return django_hash_can_verify(stored)
    return stored.startswith(("$argon2", UNUSABLE)) or not stored


def _preference(r: Record) -> tuple[bool, bool, Any]:
    return (not r.fields.get("primary"), not r.fields.get("verified"), r.pk)


def _pk(r: Record) -> int:
    if isinstance(r.pk, bool) or not isinstance(r.pk, int):
        raise FixtureImportError(f"{r}: expected an integer primary key.")
    return r.pk


def _int(r: Record, name: str) -> int:
    value = r.field(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FixtureImportError(f"{r}: field {name!r} must be an integer id.")
    return value


def _text(r: Record, name: str) -> str:
    value = r.field(name)
    if not isinstance(value, str):
        raise FixtureImportError(f"{r}: field {name!r} must be text.")
    return value


def _optional_text(r: Record, name: str) -> str | None:
    value = r.fields.get(name)
    if value is None or isinstance(value, str):
        return value
    raise FixtureImportError(f"{r}: field {name!r} must be text or null.")


def _time(r: Record, name: str) -> datetime:
    raw = _text(r, name)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise FixtureImportError(f"{r}: field {name!r} is no ISO 8601 time.") from None
    if moment.tzinfo is None:
        raise FixtureImportError(f"{r}: field {name!r} has no time zone.")
    return moment
