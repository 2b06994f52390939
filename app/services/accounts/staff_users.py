"""User accounts as staff change them in the back office.

The rules are those of sign-up and the profile API: usernames and e-mail
addresses are checked by :mod:`app.services.accounts.profile` and
:mod:`app.services.accounts.registration`, new passwords by the password policy, and an
organization never loses its last OWNER when a user is deleted. Who may change
whose account is :mod:`app.services.access`'s rule: staff change ordinary
accounts and their own, superusers everything, including staff status. The
actor is therefore the signed-in user themselves, not the back-office authority.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.authn import end_other_logins
from app.errors import ValidationError
from app.models import Membership, Role, User
from app.services import access
from app.services.access import Actor
from app.services.accounts import logins
from app.services.accounts.password_policy import NewPassword, check_new_password
from app.services.accounts.passwords import hash_password
from app.services.accounts.profile import check_username
from app.services.accounts.registration import check_new_email

LANGUAGES = ("en", "de")
PASSWORD_POINTER = "/data/attributes/password"  # noqa: S105  # a JSON pointer
LOCALE_POINTER = "/data/attributes/locale"


@dataclass(frozen=True)
class UserFields:
    """Everything staff may set on an account; ``password`` only when changed."""

    username: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    email_verified: bool = False
    locale: str | None = None
    password: str | None = None


def create_user(session: Session, actor: Actor, fields: UserFields) -> User:
    """Create an account.

    Raises:
        ForbiddenError: the actor is not staff, or makes a staff user or
            superuser without being a superuser.
        ValidationError: a malformed username, e-mail address or locale, a
            missing or weak password.
        ConflictError: the username or e-mail address is taken.
    """
    access.require_staff(actor)
    access.require_privileges_kept(actor, {}, _privileges(fields))
    if not fields.password:
        raise ValidationError(gettext("This field is required."), PASSWORD_POINTER)
    user = User()
    _apply(session, user, fields)
    session.add(user)
    session.flush()
    return user


def update_user(session: Session, actor: Actor, user: User, fields: UserFields) -> User:
    """Change an account; a new password or deactivation ends the user's log-ins.

    Staff changing their own password keep the log-in they made the change
    with and end the others, as a password change elsewhere does; a new
    password for someone else ends all of that user's log-ins and API keys.
    Deactivating an account ends all of its log-ins and API keys, so that
    activating it again lets none of them back in.

    Raises:
        ForbiddenError: the actor is not staff; or not a superuser and changes
            another staff user's or a superuser's account, or grants or revokes
            staff or superuser status.
        ValidationError: a malformed username, e-mail address or locale, a weak password.
        ConflictError: the username or e-mail address is taken.
    """
    access.require_account_editor(actor, user)
    current = {"is_staff": user.is_staff, "is_superuser": user.is_superuser}
    access.require_privileges_kept(actor, current, _privileges(fields))
    deactivated = user.is_active and not fields.is_active
    _apply(session, user, fields)
    session.flush()
    if deactivated:
        logins.end_all(session, user.id)
    elif fields.password:
        if user.id == actor.user_id:
            end_other_logins(user)
        else:
            logins.end_all(session, user.id)
    return user


def delete_user(session: Session, actor: Actor, user: User) -> None:
    """Delete an account with its memberships and keys.

    Raises:
        ForbiddenError: the actor is not staff, or not a superuser and ``user``
            is another staff user or a superuser.
        ConflictError: the user is the last OWNER of an organization.
    """
    access.require_account_editor(actor, user)
    owned = session.scalars(
        select(Membership).where(
            Membership.user_id == user.id, Membership.role == Role.OWNER
        )
    )
    for membership in owned:
        access.require_owner_remains(session, membership.organization_id, [membership])
    session.delete(user)
    session.flush()


def _privileges(fields: UserFields) -> dict[str, bool]:
    """The flags ``fields`` would store (a superuser is always staff too)."""
    return {
        "is_staff": fields.is_staff or fields.is_superuser,
        "is_superuser": fields.is_superuser,
    }


def _apply(session: Session, user: User, fields: UserFields) -> None:
    username = check_username(session, fields.username, user.id)
    email = fields.email.strip()
    if email:
        email = check_new_email(session, email, user.id)
    if fields.locale not in (None, *LANGUAGES):
        raise ValidationError(
            gettext("Choose one of %(choices)s or none.", choices=", ".join(LANGUAGES)),
            LOCALE_POINTER,
        )
    if fields.password:
        check_new_password(
            NewPassword(fields.password, fields.password, PASSWORD_POINTER),
            username=username,
            email=email,
        )
        user.password_hash = hash_password(fields.password)
    user.username, user.email = username, email
    user.first_name, user.last_name = fields.first_name, fields.last_name
    user.is_active, user.email_verified = fields.is_active, fields.email_verified
    user.is_superuser = fields.is_superuser
    user.is_staff = fields.is_staff or fields.is_superuser
    user.locale = fields.locale


def set_locale(session: Session, user: User, locale: str | None) -> None:
    """Set the language a user's pages and mails are in (None: the browser's).

    Raises:
        ValidationError: ``locale`` is not one of :data:`LANGUAGES`.
    """
    if locale not in (None, *LANGUAGES):
        raise ValidationError(
            gettext("Choose one of %(choices)s or none.", choices=", ".join(LANGUAGES)),
            LOCALE_POINTER,
        )
    session.get_one(User, user.id).locale = locale
    session.flush()
