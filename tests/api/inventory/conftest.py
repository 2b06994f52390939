"""Helpers for the inventory API tests: authenticated headers and JSON:API bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sqlalchemy.orm import Session

from app.models import User
from app.services.tokens import issue_user_key

Headers = dict[str, str]
JSONAPI = "application/vnd.api+json"


@pytest.fixture
def auth(session: Session) -> Callable[[User | None], Headers]:
    """Return the request headers of ``user`` (anonymous for None)."""

    def headers(user: User | None) -> Headers:
        base = {"Content-Type": JSONAPI}
        if user is None:
            return base
        key = issue_user_key(session, user).key
        return {**base, "Authorization": f"Token {key}"}

    return headers


def doc(
    type_: str,
    attributes: dict[str, Any] | None = None,
    relationships: dict[str, tuple[str, Any] | list[tuple[str, Any]] | None]
    | None = None,
    id_: Any = None,
) -> dict[str, Any]:
    """Build a JSON:API request document."""
    data: dict[str, Any] = {"type": type_}
    if id_ is not None:
        data["id"] = str(id_)
    if attributes is not None:
        data["attributes"] = attributes
    if relationships:
        rels: dict[str, Any] = {}
        for name, value in relationships.items():
            if value is None:
                rels[name] = {"data": None}
            elif isinstance(value, list):
                rels[name] = {"data": [{"type": t, "id": str(i)} for t, i in value]}
            else:
                rels[name] = {"data": {"type": value[0], "id": str(value[1])}}
        data["relationships"] = rels
    return {"data": data}
