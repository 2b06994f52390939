"""List endpoints cost a constant number of SQL statements, whatever their length;
an installation detail with its samples costs three."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.models import Organization, Role
from app.services.accounts.tokens import issue_user_key
from tests.api.inventory.conftest import js
from tests.factories import (
    make_installation,
    make_membership,
    make_model,
    make_node,
    make_organization,
    make_protocol,
    make_room,
    make_samples,
    make_site,
    make_user,
)
from tests.support.statements import recorded_statements
from tests.support.worlds import installed_room

LISTS = (
    "/api/v1/installations/?filter[organization]={org}&include=node,room",
    "/api/v1/nodes/?filter[organization]={org}",
    "/api/v1/sites/?filter[organization]={org}&include=operator",
    "/api/v1/rooms/?filter[organization]={org}",
    "/api/v1/rooms/{room}/installations/",
)


class StatementCounter:
    """Counts the statements sent on one connection."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        """Count one statement (``before_cursor_execute`` listener); the test's
        savepoints are its own rolled-back transaction's, not the request's."""
        if not str(args[2]).startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            self.count += 1


@pytest.fixture
def counter(session: Session) -> Iterator[StatementCounter]:
    """Count the statements of the test's connection."""
    conn = session.connection()
    counting = StatementCounter()
    event.listen(conn, "before_cursor_execute", counting)
    yield counting
    event.remove(conn, "before_cursor_execute", counting)


def _world(session: Session, size: int) -> tuple[Organization, int, dict[str, str]]:
    """An organization with ``size`` sites, rooms and nodes, all installed in room 0."""
    owner = make_user(session)
    org = make_organization(session)
    make_membership(session, owner, org, Role.OWNER)
    protocol, model = make_protocol(session), make_model(session)
    rooms = [
        make_room(session, site=make_site(session, operator=org)) for _ in range(size)
    ]
    for _ in range(size):
        node = make_node(session, owner=org, protocol_id=protocol.id, model_id=model.id)
        make_samples(session, node, count=2)
        make_installation(session, node=node, room=rooms[0])
    headers = {"Authorization": f"Token {issue_user_key(session, owner).key}"}
    session.commit()
    return org, rooms[0].id, headers


def _statements(
    client: FlaskClient,
    session: Session,
    counter: StatementCounter,
    url: str,
    headers: dict[str, str],
) -> tuple[int, int]:
    session.expire_all()  # a cold identity map, as each real request's own session
    counter.count = 0
    resp = client.get(url, headers=headers)
    assert resp.status_code == 200, js(resp)
    return counter.count, len(js(resp)["data"])


@pytest.mark.parametrize("url", LISTS)
def test_list_statement_count_does_not_grow_with_rows(
    client: FlaskClient, session: Session, counter: StatementCounter, url: str
) -> None:
    small_org, small_room, small_headers = _world(session, 1)
    big_org, big_room, big_headers = _world(session, 50)

    small, small_rows = _statements(
        client,
        session,
        counter,
        url.format(org=small_org.id, room=small_room),
        small_headers,
    )
    big, big_rows = _statements(
        client, session, counter, url.format(org=big_org.id, room=big_room), big_headers
    )

    assert (small_rows, big_rows) == (1, 50)
    assert big == small
    assert big <= 12


def test_an_installation_detail_with_samples_sends_three_statements(
    client: FlaskClient, session: Session
) -> None:
    # The API key with its user and roles, the installation with its node, the
    # samples: ORM and driver statements alike (the recorder sees both).
    world = installed_room(session, is_public=False)
    make_samples(session, world.node, count=5)
    url = f"/api/v1/installations/{world.installation.id}/?include_timeseries=1"
    headers = world.member_headers(session)

    with recorded_statements(session) as sent:
        resp = client.get(url, headers=headers)

    assert resp.status_code == 200, js(resp)
    assert len(js(resp)["data"]["attributes"]["timeseries"]) == 5
    selects = [run.query for run in sent if run.query.lstrip().startswith("SELECT")]
    assert len(selects) == 3, [" ".join(q.split())[:60] for q in selects]
