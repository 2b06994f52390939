"""The management forms (Flask-WTF: each carries its CSRF token).

Field names are the API's attribute and relationship names, so an error's JSON
pointer (``/data/attributes/name``, ``/data/relationships/site``) names the
field to show it at. Values are checked by the API's own schemas in the routes;
the validators here only catch what a browser could not even send, and text the
database cannot store (NUL), which is refused at its field before any query.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from app.blueprints.accounts.forms import ButtonForm
from app.jsonapi import guard
from app.models import Role

ROLE_CHOICES = [
    (Role.INSPECTOR.value, _l("Inspector")),
    (Role.OWNER.value, _l("Owner")),
]


class TextForm(FlaskForm):  # type: ignore[misc]
    """A form with text fields: text the API would refuse as unstorable (NUL) is
    refused at its field (PostgreSQL text cannot hold it: a lookup or an insert
    would end in a database error that names no field)."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        for field in self:
            try:
                guard.check_strings(field.data)
            except guard.UnstorableTextError:
                message = gettext("This field may not contain NUL characters.")
                field.errors = [*field.errors, message]
                valid = False
        return valid


class RowChoice(SelectField):  # type: ignore[misc]
    """A select of the organization's rows (sites, rooms, nodes) or the catalogue's:
    a value not offered is one deleted or changed since the page was shown, and
    the message says to reload (WTForms' "Not a valid choice" does not)."""

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(
                gettext(
                    "This choice is not available any more (it was deleted or "
                    "changed meanwhile): reload the page and choose again."
                )
            ) from None


class SiteForm(TextForm):
    """A site and its postal address."""

    name = StringField(_l("Name"))
    description = TextAreaField(_l("Description"))
    street1 = StringField(_l("Street and number"))
    street2 = StringField(_l("Address line 2"))
    zip = StringField(_l("Postcode"), render_kw={"inputmode": "numeric"})
    city = StringField(_l("City"))


class RoomForm(TextForm):
    """A room of one of the organization's sites."""

    site = RowChoice(_l("Site"), coerce=int)
    name = StringField(_l("Name"))
    description = TextAreaField(_l("Description"))
    size_sqm = StringField(_l("Floor area (m²)"), render_kw={"inputmode": "decimal"})
    height_m = StringField(_l("Ceiling height (m)"), render_kw={"inputmode": "decimal"})
    max_occupancy = StringField(
        _l("Maximum occupancy"), render_kw={"inputmode": "numeric"}
    )


class NodeForm(TextForm):
    """A sensor node to register."""

    eui64 = StringField(_l("EUI-64 (DevEUI)"), render_kw={"autocomplete": "off"})
    alias = StringField(_l("Name"))
    description = TextAreaField(_l("Description"))
    protocol = RowChoice(_l("Protocol"), coerce=int)
    model = RowChoice(_l("Model"), coerce=int)


class InstallForm(TextForm):
    """A node installed in a room from a moment on (now when empty), open-ended."""

    node = RowChoice(_l("Node"))
    room = RowChoice(_l("Room"), coerce=int)
    start = DateTimeLocalField(
        _l("Start"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    description = TextAreaField(_l("Description"))
    is_public = SelectField(
        _l("Visibility"),
        choices=[("0", _l("Private")), ("1", _l("Public"))],
        default="0",
    )


class PublicityForm(ButtonForm):
    """Make an installation public (``1``) or private (``0``): a value, not a toggle,
    so a form sent twice does not undo itself."""

    is_public = HiddenField(validators=[InputRequired(), AnyOf(["0", "1"])])


class InviteForm(TextForm):
    """Add the account with an e-mail address as a member."""

    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.INSPECTOR.value)


class RoleForm(FlaskForm):  # type: ignore[misc]
    """A member's new role."""

    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
