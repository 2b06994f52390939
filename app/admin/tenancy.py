"""Users, organizations (with their memberships inline) and memberships."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField
from wtforms.validators import Optional

from flask import request

from sqlalchemy.orm import Session

from app.admin.base import ServiceModelView
from app.admin.forms import plain
from app.admin.keys import KeyedAjaxLoader
from app.authn import current_actor
from app.errors import ConflictError
from app.extensions import db
from app.models import Membership, Organization, Role, User
from app.services import access
from app.services.access import Actor
from app.services.accounts import staff_users
from app.services.tenancy import memberships, organizations
from app.services.tenancy.unset import UNSET

ROLE_CHOICES = [
    (Role.OWNER.value, _l("Owner")),
    (Role.INSPECTOR.value, _l("Inspector")),
]
ROLE_NAMES = dict(ROLE_CHOICES)
LOCALE_CHOICES = [("", _l("Browser language")), ("en", "English"), ("de", "Deutsch")]
MEMBERS_POINTER = "/memberships"
#: The account switches only superusers see and change.
PRIVILEGES = tuple(access.PRIVILEGE_POINTERS)


def role_label(view: Any, context: Any, model: Any, name: str) -> str:
    """Show a role by its name in the page's language."""
    return str(ROLE_NAMES.get(getattr(model, name).value, getattr(model, name).value))


class UserAdmin(ServiceModelView):
    """Accounts: the password hash is never shown; a new password may be set.

    Staff who are not superusers do not see the staff and superuser switches;
    :mod:`app.services.accounts.staff_users` refuses their changes to those flags and to
    other staff users' accounts.
    """

    column_list = (
        "username",
        "email",
        "email_verified",
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "date_joined",
        "last_login",
    )
    column_searchable_list = ("username", "email", "first_name", "last_name")
    column_filters = ("is_staff", "is_superuser", "is_active", "email_verified")
    column_default_sort = "username"
    column_labels: ClassVar[dict[str, Any]] = {
        "username": _l("Username"),
        "email": _l("E-mail address"),
        "email_verified": _l("E-mail verified"),
        "first_name": _l("First name"),
        "last_name": _l("Last name"),
        "is_active": _l("Active"),
        "is_staff": _l("Staff"),
        "is_superuser": _l("Superuser"),
        "date_joined": _l("Joined"),
        "last_login": _l("Last log-in"),
        "locale": _l("Language"),
        "new_password": _l("New password"),
    }
    form_columns = (
        "username",
        "email",
        "email_verified",
        "first_name",
        "last_name",
        "is_active",
        "is_staff",
        "is_superuser",
        "locale",
        "new_password",
    )
    form_extra_fields: ClassVar[dict[str, Any]] = {
        "locale": SelectField(_l("Language"), choices=LOCALE_CHOICES, default=""),
        "new_password": PasswordField(
            _l("New password"),
            validators=[Optional()],
            description=_l("Leave empty to keep the current password."),
        ),
    }
    pointer_fields: ClassVar[dict[str, str]] = {"password": "new_password"}

    def service_actor(self) -> Actor:
        """Return the signed-in staff user, not the back-office authority.

        Whose account they may change depends on who they are (superuser or not).
        """
        return current_actor()

    def create_form(self, obj: Any = None) -> Any:
        """Build the new-account form (without the switches for non-superusers)."""
        return _hide_privileges(super().create_form(obj))

    def edit_form(self, obj: Any = None) -> Any:
        """Build the edit form (without the switches for non-superusers)."""
        return _hide_privileges(super().edit_form(obj))

    def on_form_prefill(self, form: Any, id: Any) -> None:
        """Show "browser language" for users without a language of their own."""
        form.locale.data = form.locale.data or ""

    def _fields(self, form: Any, user: Any = None) -> staff_users.UserFields:
        privileges = _privileges(form, user)
        return staff_users.UserFields(
            username=form.username.data or "",
            email=form.email.data or "",
            first_name=form.first_name.data or "",
            last_name=form.last_name.data or "",
            is_active=bool(form.is_active.data),
            is_staff=privileges["is_staff"],
            is_superuser=privileges["is_superuser"],
            email_verified=bool(form.email_verified.data),
            locale=form.locale.data or None,
            password=form.new_password.data or None,
        )

    def service_create(self, session: Session, actor: Actor, form: Any) -> Any:
        """Create the account."""
        return staff_users.create_user(session, actor, self._fields(form))

    def service_update(
        self, session: Session, actor: Actor, model: Any, form: Any
    ) -> None:
        """Change the account."""
        staff_users.update_user(session, actor, model, self._fields(form, model))

    def service_delete(self, session: Session, actor: Actor, model: Any) -> None:
        """Delete the account."""
        staff_users.delete_user(session, actor, model)


def _hide_privileges(form: Any) -> Any:
    if not current_actor().is_superuser:
        for name in PRIVILEGES:
            del form[name]
    return form


def _privileges(form: Any, user: Any) -> dict[str, bool]:
    """The switches as submitted; a hidden one keeps the account's flag.

    A request that sends a hidden switch anyway counts as setting it, so that
    the service refuses it instead of it being dropped in silence.
    """
    return {
        name: bool(form[name].data)
        if name in form
        else bool(getattr(user, name, False)) or name in request.form
        for name in PRIVILEGES
    }


class OrganizationAdmin(ServiceModelView):
    """Organizations with their memberships edited inline."""

    column_list = ("name", "description")
    column_searchable_list = ("name",)
    column_default_sort = "name"
    column_labels: ClassVar[dict[str, Any]] = {
        "name": _l("Name"),
        "description": _l("Description"),
        "memberships": _l("Memberships"),
    }
    form_columns = ("name", "description", "memberships")
    inline_models = (
        (
            Membership,
            {
                "form_columns": ("id", "user", "role"),
                "form_ajax_refs": {
                    "user": KeyedAjaxLoader(
                        "user", db.session, User, fields=("username", "email")
                    )
                },
                "form_choices": {"role": ROLE_CHOICES},
                "column_labels": {"user": _l("User"), "role": _l("Role")},
            },
        ),
    )
    pointer_fields: ClassVar[dict[str, str]] = {"memberships": "memberships"}

    def service_create(self, session: Session, actor: Actor, form: Any) -> Any:
        """Create the organization, then its memberships."""
        new = organizations.NewOrganization(
            name=form.name.data or "", description=plain(form.description.data)
        )
        created = organizations.create_organization(session, actor, new)
        org = session.get_one(Organization, created.id)
        self._save_memberships(session, org, form)
        return org

    def service_update(
        self, session: Session, actor: Actor, model: Any, form: Any
    ) -> None:
        """Change name and description, then the memberships."""
        changes = organizations.OrganizationChanges(
            name=form.name.data or "", description=plain(form.description.data)
        )
        organizations.update_organization(session, actor, model.id, changes)
        self._save_memberships(session, model, form)

    def service_delete(self, session: Session, actor: Actor, model: Any) -> None:
        """Delete the organization with everything it owns."""
        organizations.delete_organization(session, actor, model.id)

    def _save_memberships(self, session: Session, org: Organization, form: Any) -> None:
        """Apply the inline rows; a user joins once, the last OWNER stays."""
        users = [
            entry.form.user.data.id
            for entry in form.memberships.entries
            if entry.form.user.data is not None and not _marked_deleted(entry)
        ]
        if len(users) != len(set(users)):
            raise ConflictError(
                gettext("This user is a member of the organization already."),
                MEMBERS_POINTER,
            )
        owners_before = access.owner_count(session, org.id)
        with session.no_autoflush:
            form.memberships.populate_obj(org, "memberships")
        session.flush()
        access.require_owner_kept(session, org.id, owners_before, MEMBERS_POINTER)


def _marked_deleted(entry: Any) -> bool:
    return bool(getattr(entry, "should_delete", lambda: False)())


class MembershipAdmin(ServiceModelView):
    """Who belongs to which organization, with which role."""

    column_list = ("user", "organization", "role")
    column_searchable_list = ("user.username", "organization.name")
    column_filters = ("organization.name", "role")
    column_sortable_list = (
        ("user", "user.username"),
        ("organization", "organization.name"),
        "role",
    )
    column_formatters: ClassVar[dict[str, Any]] = {"role": role_label}
    column_labels: ClassVar[dict[str, Any]] = {
        "user": _l("User"),
        "organization": _l("Organization"),
        "role": _l("Role"),
        "user.username": _l("Username"),
        "organization.name": _l("Organization"),
    }
    form_columns = ("user", "organization", "role")
    form_ajax_refs: ClassVar[dict[str, Any]] = {
        "user": {"fields": ("username", "email")},
        "organization": {"fields": ("name",)},
    }
    form_choices: ClassVar[dict[str, Any]] = {"role": ROLE_CHOICES}

    def service_create(self, session: Session, actor: Actor, form: Any) -> Any:
        """Add the user to the organization."""
        new = memberships.NewMembership(
            user_id=_id(form.user.data),
            organization_id=_id(form.organization.data),
            role=Role(form.role.data),
        )
        created = memberships.create_membership(session, actor, new)
        return session.get_one(Membership, created.id)

    def service_update(
        self, session: Session, actor: Actor, model: Any, form: Any
    ) -> None:
        """Change role, user or organization."""
        changes = memberships.MembershipChanges(
            role=Role(form.role.data),
            user_id=_id(form.user.data) if form.user.data else UNSET,
            organization_id=(
                _id(form.organization.data) if form.organization.data else UNSET
            ),
        )
        memberships.update_membership(session, actor, model.id, changes)

    def service_delete(self, session: Session, actor: Actor, model: Any) -> None:
        """Remove the membership (never the last OWNER's)."""
        memberships.delete_membership(session, actor, model.id)


def _id(row: Any) -> int:
    return 0 if row is None else int(row.id)
