"""Helpers for the inventory API tests: authenticated headers and JSON:API bodies."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from app.extensions import SESSION_OPTIONS, db
from app.models import User
from app.services.accounts.tokens import issue_user_key
from tests.support.managair import load_managair

Headers = dict[str, str]


def js(resp: Any) -> Any:
    """Return a test response's JSON body (typed ``Any`` for indexing)."""
    return resp.get_json()


JSONAPI = "application/vnd.api+json"


def doc(
    type_: str,
    attributes: dict[str, Any] | None = None,
    relationships: Mapping[str, tuple[str, Any] | list[tuple[str, Any]] | None]
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


def site_doc(name: str, address_id: int, operator_id: int) -> dict[str, Any]:
    """Build the request document of a new site."""
    return doc(
        "Site",
        {"name": name},
        {"address": ("Address", address_id), "operator": ("Organization", operator_id)},
    )


@pytest.fixture(scope="module")
def managair_connection(app: Flask) -> Iterator[Connection]:
    """One connection per test module holding Managair's demo world, uncommitted."""
    conn = db.engine.connect()
    outer = conn.begin()
    loader = Session(bind=conn, join_transaction_mode="create_savepoint")
    load_managair(loader)
    loader.commit()
    loader.close()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def managair(
    managair_connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Session]:
    """A session on the demo world; every change is rolled back after the test."""
    conn = managair_connection
    nested = conn.begin_nested()
    monkeypatch.setitem(db.engines, None, conn)
    scoped = db._make_scoped_session(
        {"join_transaction_mode": "create_savepoint", **SESSION_OPTIONS}
    )
    monkeypatch.setattr(db, "session", scoped)
    yield scoped()
    scoped.remove()
    if nested.is_active:
        nested.rollback()


@pytest.fixture
def mclient(app: Flask, managair: Session) -> FlaskClient:
    """A test client on the demo world."""
    return app.test_client()


@pytest.fixture
def login(managair: Session) -> Callable[[str | None], Headers]:
    """Return the headers of a demo user by username (anonymous for None)."""

    def headers(username: str | None) -> Headers:
        base = {"Content-Type": JSONAPI}
        if username is None:
            return base
        user = managair.scalars(select(User).where(User.username == username)).one()
        key = issue_user_key(managair, user).key
        managair.commit()  # a refused request's rollback must not undo the key
        return {**base, "Authorization": f"Token {key}"}

    return headers
