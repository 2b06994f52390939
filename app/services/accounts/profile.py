"""Log-in by username or e-mail, the own profile and password changes.

Messages are translated (Flask-Babel): the API answers in the caller's
language as the reference answered in German.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask_babel import gettext

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import (
    DomainError,
    UnauthenticatedError,
    ValidationError,
)
from app.models import User
from app.services.accounts import login_throttle
from app.services.accounts.login_throttle import Limits
from app.services.accounts.password_policy import NewPassword, check_new_password
from app.services.accounts.passwords import hash_password, needs_rehash, verify_password
from app.services.unique import Claim, flush_claimed, require_free

NON_FIELD = "/data/attributes/non_field_errors"
USERNAME_POINTER = "/data/attributes/username"
USERNAME_MAX = 150
NAME_MAX = 150
USERNAME_PATTERN = re.compile(r"[\w.@+-]+")


class EmailNotVerifiedError(ValidationError):
    """The password was right but the e-mail address is not verified yet."""

    code = "email_not_verified"


@dataclass(frozen=True)
class LoginPolicy:
    """Rate limits and whether log-in needs a verified e-mail address."""

    limits: Limits
    require_verified: bool

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LoginPolicy:
        """Read the policy from the app's settings."""
        return cls(
            Limits.from_config(config), bool(config["ACCOUNT_EMAIL_VERIFICATION"])
        )


@dataclass(frozen=True)
class LoginAttempt:
    """What a client typed, and where it came from."""

    login: str
    password: str
    address: str


@dataclass(frozen=True)
class LoginOutcome:
    """The logged-in user, or the error to answer after the counters are saved."""

    user: User | None = None
    error: DomainError | None = None

    def failure(self) -> DomainError:
        """Return the error to answer (a generic one if there is none)."""
        return self.error or _invalid_credentials()


@dataclass(frozen=True)
class ProfileChanges:
    """Attributes of one's own account that may change (None: unchanged)."""

    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class PasswordChange:
    """The current password and the new one, typed twice."""

    old_password: str
    new: NewPassword
    old_pointer: str = "/data/attributes/old_password"


def find_by_login(session: Session, login: str) -> User | None:
    """Return the user whose username is ``login``, else whose e-mail address is."""
    login = login.strip()
    if not login:
        return None
    user = session.scalars(select(User).where(User.username == login)).first()
    if user is None and "@" in login:
        user = session.scalars(
            select(User).where(func.lower(User.email) == login.lower())
        ).first()
    return user


def attempt_login(
    session: Session, attempt: LoginAttempt, policy: LoginPolicy, now: datetime
) -> LoginOutcome:
    """Check credentials; count failures; re-hash outdated hashes (flushes).

    Failures are returned, not raised, so the route can commit the failure
    counters before it answers. The account's counter is kept per client
    address: failures from one address never lock the owner out elsewhere,
    while guessing from one address (at one account, or at many: the address's
    own counter) stays throttled.

    Raises:
        ThrottledError: the account from this address, or the address, has
            failed too often (429).
    """
    user = find_by_login(session, attempt.login)
    who = f"user:{user.id}" if user else f"login:{attempt.login.strip().lower()}"
    account = f"{who}|from:{attempt.address}"
    login_throttle.check(session, policy.limits, account, attempt.address, now)
    if user is None:
        verify_password(_dummy_hash(), attempt.password)  # same time as a real check
    if user is None or not verify_password(user.password_hash, attempt.password):
        login_throttle.record_failure(
            session, policy.limits, account, attempt.address, now
        )
        return LoginOutcome(error=_invalid_credentials())
    login_throttle.clear_account(session, account)
    if not user.is_active:
        return LoginOutcome(error=_invalid_credentials())
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(attempt.password)
    if policy.require_verified and not user.email_verified:
        return LoginOutcome(
            error=EmailNotVerifiedError(gettext("E-mail is not verified."), NON_FIELD)
        )
    user.last_login = now
    session.flush()
    return LoginOutcome(user=user)


def check_username(session: Session, username: str, exclude_id: int | None) -> str:
    """Return ``username`` trimmed if it is well-formed and free.

    Raises:
        ValidationError: blank, too long or with characters Django refused.
        ConflictError: another account has it.
    """
    username = username.strip()
    if not username:
        raise ValidationError(gettext("This field may not be blank."), USERNAME_POINTER)
    if len(username) > USERNAME_MAX or not USERNAME_PATTERN.fullmatch(username):
        raise ValidationError(
            gettext(
                "Enter a valid username of at most 150 letters, digits and "
                "@/./+/-/_ characters."
            ),
            USERNAME_POINTER,
        )
    require_free(
        session, User.id, User.username == username, exclude_id, username_claim()
    )
    return username


def username_claim() -> Claim:
    """The username's unique constraint and the 409 that names it."""
    return Claim(
        "uq_users_username",
        gettext("A user with that username already exists."),
        USERNAME_POINTER,
    )


def update_profile(session: Session, user: User, changes: ProfileChanges) -> User:
    """Change one's username or names (flushes).

    Raises:
        ValidationError: a value is blank, too long or malformed, or the e-mail
            address differs (it changes only through a confirmed mail).
        ConflictError: the username is taken.
    """
    if (
        changes.email is not None
        and changes.email.strip().lower() != user.email.lower()
    ):
        raise ValidationError(
            gettext(
                "The e-mail address cannot be changed here; change it on the "
                "account's e-mail page, which confirms the new address first."
            ),
            "/data/attributes/email",
        )
    claims = []
    if changes.username is not None:
        user.username = check_username(session, changes.username, user.id)
        claims.append(username_claim())
    for name, value in (
        ("first_name", changes.first_name),
        ("last_name", changes.last_name),
    ):
        if value is None:
            continue
        if len(value) > NAME_MAX:
            raise ValidationError(
                gettext("Ensure this field has no more than 150 characters."),
                f"/data/attributes/{name}",
            )
        setattr(user, name, value.strip())
    flush_claimed(session, *claims)
    return user


def change_password(
    session: Session,
    user: User,
    change: PasswordChange,
    limits: Limits,
    address: str,
    now: datetime,
) -> DomainError | None:
    """Set a new password after checking the current one (flushes).

    A wrong current password counts as a failed log-in of the account from
    ``address`` (the same counters and limits), so a stolen credential cannot
    be used to guess the password without limit. That error is returned, not
    raised, so the caller commits the counters before answering it.

    Returns:
        None when the password changed; else the wrong-password error.

    Raises:
        ThrottledError: too many wrong passwords (or failed log-ins) for the
            account from this address, or from this address (429).
        ValidationError: the new password is weak or its two copies differ.
    """
    account = f"user:{user.id}|from:{address}"
    login_throttle.check(session, limits, account, address, now)
    # Two changes at once take turns: the second checks the old password
    # against the hash the first stored, instead of both succeeding.
    session.refresh(user, with_for_update={"key_share": True})
    if not verify_password(user.password_hash, change.old_password):
        login_throttle.record_failure(session, limits, account, address, now)
        return ValidationError(
            gettext(
                "Your old password was entered incorrectly. Please enter it again."
            ),
            change.old_pointer,
        )
    login_throttle.clear_account(session, account)
    check_new_password(change.new, username=user.username, email=user.email)
    user.password_hash = hash_password(change.new.password1)
    session.flush()
    return None


def _invalid_credentials() -> ValidationError:
    return ValidationError(
        gettext("Unable to log in with provided credentials."), NON_FIELD
    )


@cache
def _dummy_hash() -> str:
    return hash_password("not a real password, only for timing")


def own_account(session: Session, user_id: int | None) -> User:
    """Return the account of the authenticated caller.

    Raises:
        UnauthenticatedError: anonymous caller, or the account is gone.
    """
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise UnauthenticatedError(
            gettext("Authentication credentials were not provided.")
        )
    return user
