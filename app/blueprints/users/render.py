"""User resources (JSON:API type ``User``) in the reference's shapes."""

from __future__ import annotations

from collections.abc import Iterable

from app.jsonapi import JsonObject, identifier, resource, to_many
from app.services.tenancy.directory import UserDetail, UserSummary

TYPE = "User"


def path(user_id: int, rest: str = "") -> str:
    """Return the path of a user resource, or of ``rest`` below it."""
    return f"/api/v1/users/{user_id}/{rest}"


def user_summary(user: UserSummary) -> JsonObject:
    """Render a user as lists show them: the username only."""
    return resource(TYPE, user.id, {"username": user.username}, self_link=path(user.id))


def user_detail(user: UserDetail) -> JsonObject:
    """Render a user with names, e-mail and links to their organizations."""
    return resource(
        TYPE,
        user.id,
        {
            "username": user.username,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
        {
            "organizations": to_many(
                None,
                related=path(user.id, "organizations/"),
                self_link=path(user.id, "relationships/organizations/"),
            ),
            "memberships": to_many(None, related=path(user.id, "memberships/")),
        },
        self_link=path(user.id),
    )


def linkage(type_: str, ids: Iterable[int]) -> JsonObject:
    """Render a relationship document ``{"data": [{"type", "id"}, ...]}``."""
    return {"data": [identifier(type_, i) for i in ids]}
