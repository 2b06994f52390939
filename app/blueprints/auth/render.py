"""Response documents of the auth endpoints, in the reference's shapes."""

from __future__ import annotations

from typing import Any

from app.authn import ApiCredentials
from app.jsonapi import resource, single
from app.models import User

JsonObject = dict[str, Any]


def user(row: User) -> JsonObject:
    """``{"data": {"type": "User", "id", "attributes": {pk, username, ...}}}``."""
    return single(
        resource(
            "User",
            row.id,
            {
                "pk": row.id,
                "username": row.username,
                "email": row.email,
                "first_name": row.first_name,
                "last_name": row.last_name,
            },
        )
    )


def login(issued: ApiCredentials) -> JsonObject:
    """The reference's ``LoginView`` document (id = key) plus the JWT pair."""
    return single(
        resource(
            "LoginView",
            issued.key,
            {
                "key": issued.key,
                "access_token": issued.access_token,
                "refresh_token": issued.refresh_token,
            },
        )
    )


def detail(text: str) -> JsonObject:
    """``{"data": {"detail": text}}``, the reference's answer to actions."""
    return {"data": {"detail": text}}
