"""List endpoints run a fixed number of SQL statements, however many rows they return."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Role, User
from tests.factories import make_membership, make_organization, make_user
from tests.support.auth import auth_headers
from tests.support.refusals import assert_refused

LISTS = (
    "/api/v1/users/",
    "/api/v1/users/?filter[search]=example",
    "/api/v1/organizations/?include=users",
    "/api/v1/memberships/?include=organization,user",
    "/api/v1/users/{me}/organizations/",
    "/api/v1/users/{me}/memberships/",
    "/api/v1/users/{me}/relationships/organizations/",
    "/api/v1/organizations/{first}/users/",
    "/api/v1/organizations/{first}/memberships/",
)


@contextmanager
def statements() -> Iterator[list[str]]:
    """Record the SQL statements sent while the block runs (not the test's savepoints)."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        statement: str = args[2]
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def world(session: Session, size: int) -> tuple[User, dict[str, int]]:
    """``me``, OWNER of ``size`` organizations with two further members each."""
    me = make_user(session)
    orgs = [make_organization(session) for _ in range(size)]
    for org in orgs:
        make_membership(session, me, org, Role.OWNER)
        for _ in range(2):
            make_membership(session, make_user(session), org)
    first = make_organization(session)
    make_membership(session, me, first, Role.OWNER)
    for _ in range(size):
        make_membership(session, make_user(session), first)
    return me, {"me": me.id, "first": first.id}


def count(client: FlaskClient, session: Session, path: str, size: int) -> int:
    """Statements sent by one request for a world of ``size``."""
    me, ids = world(session, size)
    headers = auth_headers(session, me)
    with statements() as seen:
        resp = client.get(path.format(**ids), headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.json is not None
    assert len(resp.json["data"]) >= size
    session.rollback()
    return len(seen)


@pytest.mark.parametrize("path", LISTS)
def test_list_statements_do_not_grow_with_rows(
    client: FlaskClient, session: Session, path: str
) -> None:
    small = count(client, session, path, 2)
    large = count(client, session, path, 8)

    assert small == large
    assert small <= 8


@pytest.mark.parametrize("name", ["page[size]", "page[number]"])
@pytest.mark.parametrize(
    "raw", ["0", "-1", "1.5", "abc", "1000000000000000000", "1000000000000000000000"]
)
def test_an_out_of_range_page_parameter_is_400_naming_the_range(
    client: FlaskClient, name: str, raw: str
) -> None:
    size = "" if name == "page[size]" else "page[size]=10&"
    resp = assert_refused(
        client,
        "GET",
        f"/api/v1/quantities/?{size}{name}={raw}",
        400,
        unchanged=(),
        parameter=name,
    )

    assert resp.json is not None
    assert "from 1 to 999999999999999999" in resp.json["errors"][0]["detail"]


def test_a_page_size_above_the_largest_page_gives_the_largest_page(
    client: FlaskClient,
) -> None:
    resp = client.get("/api/v1/quantities/?page[size]=999999999999999999")

    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.json is not None
    assert "page%5Bsize%5D=999999999999999999" in resp.json["links"]["first"]
