"""What a new password must be: the Django validators Managair ran in production.

At least 8 characters (and at most 1024, so hashing stays cheap), not entirely
numeric, not too similar to the username or e-mail address, typed twice alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from flask_babel import gettext

from app.errors import ErrorDetail, ValidationError

MIN_LENGTH = 8
MAX_LENGTH = 1024
MAX_SIMILARITY = 0.7


@dataclass(frozen=True)
class NewPassword:
    """A new password typed twice, and where each copy sits in the request."""

    password1: str
    password2: str
    pointer1: str = "/data/attributes/new_password1"
    pointer2: str = "/data/attributes/new_password2"


def check_new_password(new: NewPassword, *, username: str, email: str) -> None:
    """Check a new password against the policy.

    Args:
        new: the password and its confirmation.
        username: the account's username (the password must not resemble it).
        email: the account's e-mail address (likewise).

    Raises:
        ValidationError: every problem found, each at its pointer.
    """
    problems: list[ErrorDetail] = []
    if new.password1 != new.password2:
        problems.append(
            ErrorDetail(gettext("The two password fields didn't match."), new.pointer2)
        )
    problems.extend(
        ErrorDetail(message, new.pointer1)
        for message in _weaknesses(new.password1, username, email)
    )
    if problems:
        first, *rest = problems
        raise ValidationError(first.detail, first.pointer, errors=rest)


def _weaknesses(password: str, username: str, email: str) -> list[str]:
    found = []
    if len(password) < MIN_LENGTH:
        found.append(
            gettext(
                "This password is too short. It must contain at least "
                "%(min)d characters.",
                min=MIN_LENGTH,
            )
        )
    if len(password) > MAX_LENGTH:
        found.append(
            gettext(
                "This password is too long. It may contain at most %(max)d characters.",
                max=MAX_LENGTH,
            )
        )
    if password.isdigit():
        found.append(gettext("This password is entirely numeric."))
    for value, label in (
        (username, gettext("username")),
        (email, gettext("e-mail address")),
    ):
        if _too_similar(password, value):
            found.append(
                gettext("The password is too similar to the %(field)s.", field=label)
            )
    return found


def _too_similar(password: str, value: str) -> bool:
    if not value or len(password) > MAX_LENGTH:
        return False
    lowered = password.lower()
    for part in {value, *re.split(r"\W+", value)}:
        if len(part) < 3:
            continue
        matcher = SequenceMatcher(a=lowered, b=part.lower())
        if (
            matcher.quick_ratio() >= MAX_SIMILARITY
            and matcher.ratio() >= MAX_SIMILARITY
        ):
            return True
    return False
