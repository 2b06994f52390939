"""Creating and looking up user accounts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import ConflictError, ValidationError
from app.models import User
from app.services.accounts.passwords import hash_password

MIN_PASSWORD_LENGTH = 8
#: the columns' lengths (Django's): longer values are refused by name, not by the database
MAX_LENGTHS = {"username": 150, "email": 254, "first_name": 150, "last_name": 150}


@dataclass(frozen=True)
class NewUser:
    """What it takes to create an account."""

    username: str
    email: str
    password: str
    first_name: str = ""
    last_name: str = ""
    is_staff: bool = False
    is_superuser: bool = False
    email_verified: bool = False


def create_user(session: Session, new: NewUser) -> User:
    """Create an account with a hashed password.

    Raises:
        ValidationError: the username is blank, a name or the address too long
            or not text, or the password too short.
        ConflictError: the username or e-mail address is taken.
    """
    username = new.username.strip()
    email = new.email.strip()
    if not username:
        raise ValidationError(
            "The username must not be blank.", "/data/attributes/username"
        )
    values = {
        "username": username,
        "email": email,
        "first_name": new.first_name,
        "last_name": new.last_name,
    }
    for name, value in values.items():
        _check_text(name, value)
    if len(new.password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            "/data/attributes/password",
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ConflictError(
            f"The username {username!r} is taken.", "/data/attributes/username"
        )
    if (
        email
        and session.scalar(
            select(User.id).where(func.lower(User.email) == email.lower())
        )
        is not None
    ):
        raise ConflictError(
            "An account with this e-mail address exists.", "/data/attributes/email"
        )
    user = User(
        username=username,
        email=email,
        password_hash=hash_password(new.password),
        first_name=new.first_name,
        last_name=new.last_name,
        is_staff=new.is_staff or new.is_superuser,
        is_superuser=new.is_superuser,
        email_verified=new.email_verified,
    )
    session.add(user)
    session.flush()
    return user


def _check_text(name: str, value: str) -> None:
    pointer = f"/data/attributes/{name}"
    label = name.replace("_", " ")
    if len(value) > MAX_LENGTHS[name]:
        raise ValidationError(
            f"The {label} must have at most {MAX_LENGTHS[name]} characters.", pointer
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            f"The {label} is not valid text (check the terminal's encoding).", pointer
        ) from None
