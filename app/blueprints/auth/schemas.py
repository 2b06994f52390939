"""Request documents of the auth endpoints (JSON:API, typed by the view's name).

Unknown attributes are ignored, as Django REST framework ignores them.
"""

from __future__ import annotations

from typing import Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES

import marshmallow as ma
from flask import request

from app.blueprints.docs import document_schemas
from app.jsonapi import ParameterError
from app.services.accounts.password_policy import MAX_LENGTH, MIN_LENGTH
from app.services.accounts.profile import NAME_MAX, USERNAME_MAX, USERNAME_PATTERN

#: The longest e-mail address (RFC 5321's path limit less its brackets).
EMAIL_MAX = 254
#: ``data.id`` as :func:`app.jsonapi.parse_resource` reads it.
ENVELOPE_ID = {"anyOf": [{"type": "string"}, {"type": "integer"}]}


class _Lenient(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE


def document(
    name: str, attributes: dict[str, Any], type_name: str | None = None
) -> type[ma.Schema]:
    """Return the schema of ``{"data": {"type", "id"?, "attributes": {...}}}``.

    Args:
        name: names the OpenAPI schemas (``<name>Document`` ...).
        attributes: marshmallow fields of ``data.attributes``.
        type_name: the resource type the endpoint expects (default: ``name``).

    The document names the one ``type`` the view takes (an empty one is a 400,
    another a 409) and the ``id`` it reads (a string, an integer or null), as
    the envelope check does.
    """
    attrs = _Lenient.from_dict(attributes, name=f"{name}Attributes")
    data = _Lenient.from_dict(
        {
            "type": ma.fields.String(
                required=True, metadata={"enum": [type_name or name]}
            ),
            "id": ma.fields.Raw(allow_none=True, metadata=ENVELOPE_ID),
            "attributes": ma.fields.Nested(attrs, required=True),
        },
        name=f"{name}Data",
    )
    return _Lenient.from_dict(
        {"data": ma.fields.Nested(data, required=True)}, name=f"{name}Document"
    )


def _text(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(**kwargs)


def _secret(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(required=True, load_only=True, **kwargs)


# The rules below are checked by the services (after trimming, in the
# reference's words); the metadata only puts them in the document.


def _username(**kwargs: Any) -> ma.fields.String:
    rule = {
        "pattern": rf"^\s*{USERNAME_PATTERN.pattern}\s*$",
        "maxLength": USERNAME_MAX,
    }
    return ma.fields.String(metadata=rule, **kwargs)


def _name(**kwargs: Any) -> ma.fields.String:
    return ma.fields.String(metadata={"maxLength": NAME_MAX}, **kwargs)


def _address(**kwargs: Any) -> ma.fields.String:
    """An address mail can reach: its domain has a dot and no special-use name
    (``.test``, ``.local`` ...), as ``email_validator`` checks."""
    names = "|".join(
        "".join(f"[{c.lower()}{c.upper()}]" for c in name)
        for name in SPECIAL_USE_DOMAIN_NAMES
    )
    rule = {"format": "email", "pattern": rf"^(?!.*\.({names})$)[^@]+@[^@]+\.[^@]+$"}
    return ma.fields.String(metadata=rule, **kwargs)


def _typed_address() -> ma.fields.String:
    """An address typed to find an account (reset, resend): at most
    :data:`EMAIL_MAX` characters, the longest address mail can carry."""
    return ma.fields.String(
        required=True,
        validate=ma.validate.Length(max=EMAIL_MAX),
        metadata={"maxLength": EMAIL_MAX},
    )


def _new_password() -> ma.fields.String:
    """A new password: its length and "not only digits" (``\\D``) are documented;
    likeness to the username or address and the second copy are not."""
    rule = {"minLength": MIN_LENGTH, "maxLength": MAX_LENGTH, "pattern": r"\D"}
    return _secret(metadata=rule)


LoginDocument = document(
    "LoginView",
    {
        "username": _text(load_default=""),
        "email": _text(load_default=""),
        "password": _secret(),
    },
)
UserPatchDocument = document(
    "AuthUserPatch",
    {
        "username": _username(),
        "email": _text(),
        "first_name": _name(),
        "last_name": _name(),
    },
    type_name="User",
)
UserPutDocument = document(
    "UserPut",
    {
        "username": _username(required=True),
        "email": _text(),
        "first_name": _name(load_default=""),
        "last_name": _name(load_default=""),
    },
    type_name="User",
)
PasswordChangeDocument = document(
    "PasswordChangeView",
    {
        "old_password": _secret(),
        "new_password1": _new_password(),
        "new_password2": _secret(),
    },
)
PasswordResetDocument = document("PasswordResetView", {"email": _typed_address()})
PasswordResetConfirmDocument = document(
    "PasswordResetConfirmView",
    {
        "uid": _text(required=True),
        "token": _text(required=True),
        "new_password1": _new_password(),
        "new_password2": _secret(),
    },
)
RegisterDocument = document(
    "RegisterView",
    {
        "username": _username(required=True),
        "email": _address(required=True),
        "password1": _new_password(),
        "password2": _secret(),
    },
)
VerifyEmailDocument = document("VerifyEmailView", {"key": _text(required=True)})
ResendEmailDocument = document(
    "ResendEmailVerificationView", {"email": _typed_address()}
)


class SingleValuedArgs(ma.Schema):
    """Query parameters that may each appear once: a repeated one is a 400.

    webargs would take one of the values silently (``?everywhere=1&everywhere=0``);
    the refusal is :func:`app.jsonapi.parse_query_params`'s for ``page[size]``.
    """

    @ma.pre_load
    def _refuse_repeats(self, data: Any, **_kwargs: Any) -> Any:
        for name, field in self.fields.items():
            key = field.data_key or name
            if len(request.args.getlist(key)) > 1:
                raise ParameterError(
                    f"repeated query parameter not allowed: {key}", parameter=key
                )
        return data


class LogoutArgs(SingleValuedArgs):
    """Query parameters of the log-out."""

    everywhere = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "End every log-in of the account (all sessions, API "
            "keys and bearer tokens), not only the one making the request"
        },
    )


class _DetailSchema(ma.Schema):
    detail = ma.fields.String(metadata={"description": "What happened"})


#: ``{"data": {"detail": ...}}``: the reference's answer to actions.
DetailDocument = ma.Schema.from_dict(
    {
        "data": ma.fields.Nested(_DetailSchema),
        "meta": ma.fields.Dict(metadata={"description": "`email_sent: false`"}),
    },
    name="DetailDocument",
)
LoginAnswer = document_schemas(
    "LoginView",
    ma.Schema.from_dict(
        {
            "key": ma.fields.String(metadata={"description": "`Token <key>`"}),
            "access_token": ma.fields.String(),
            "refresh_token": ma.fields.String(),
        },
        name="LoginAnswerAttributes",
    ),
    name="LoginAnswer",
)
TokenRefreshAnswer = document_schemas(
    "TokenRefreshView",
    ma.Schema.from_dict(
        {"access_token": ma.fields.String()}, name="TokenRefreshAttributes"
    ),
)
OwnAccount = document_schemas(
    "User",
    ma.Schema.from_dict(
        {
            "pk": ma.fields.Integer(),
            "username": ma.fields.String(),
            "email": ma.fields.String(),
            "first_name": ma.fields.String(),
            "last_name": ma.fields.String(),
        },
        name="OwnAccountAttributes",
    ),
    name="OwnAccount",
)
