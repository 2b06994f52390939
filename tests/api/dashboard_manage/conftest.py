"""An organization with an owner, an inspector and an outsider, signed in by browser.

The arranged rows are committed (a savepoint release inside the test's outer
transaction), so a request that fails and rolls back keeps them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sqlalchemy.orm import Session

from app.models import (
    Installation,
    Node,
    NodeModel,
    Organization,
    Protocol,
    Room,
    Site,
    User,
)
from tests.factories import (
    DEFAULT_PASSWORD,
    make_installation,
    make_model,
    make_node,
    make_protocol,
    make_room,
    make_site,
)
from tests.support.accounts import CSRF_FIELD, html_login
from tests.support.worlds import tenants


@dataclass
class World:
    """The organization under test and its neighbours."""

    org: Organization
    owner: User
    inspector: User
    outsider: User
    other_org: Organization
    site: Site
    room: Room
    node: Node
    spare_node: Node
    installation: Installation
    other_installation: Installation
    protocol: Protocol
    model: NodeModel

    @property
    def page(self) -> str:
        """The organization's management page."""
        return f"/dashboard/manage/{self.org.id}/"


@pytest.fixture
def world(session: Session) -> World:
    """Owner and inspector of one organization; the outsider owns another one."""
    people = tenants(session)
    org, other_org = people.org, people.other
    site = make_site(session, operator=org, name="Hauptgebäude")
    room = make_room(session, site=site, name="Klasse 3b")
    node = make_node(session, owner=org, alias="Sensor 3b")
    spare = make_node(session, owner=org, alias="Spare sensor")
    installation = make_installation(session, node=node, room=room)
    other_installation = make_installation(
        session, node=make_node(session, owner=other_org), is_public=True
    )
    world = World(
        org,
        people.owner,
        people.inspector,
        people.outsider,
        other_org,
        site,
        room,
        node,
        spare,
        installation,
        other_installation,
        make_protocol(session),
        make_model(session),
    )
    session.commit()
    return world


@pytest.fixture
def browser(app: Flask, session: Session) -> FlaskClient:
    """A browser that is not signed in (its own cookie jar)."""
    return app.test_client()


def sign_in(client: FlaskClient, user: User) -> FlaskClient:
    """Sign ``user`` in through the HTML log-in page; return the client."""
    assert html_login(client, user.username, DEFAULT_PASSWORD).status_code == 302
    return client


def send(
    client: FlaskClient,
    world: World,
    path: str,
    prefix: str,
    fields: dict[str, Any],
    *,
    token: bool = True,
) -> TestResponse:
    """Post a form of the page to ``path`` below it as a browser: prefixed field
    names and the CSRF token.

    The token is the page's (every form of a session carries the same one); for
    a caller whose page shows no form, the ``csrftoken`` cookie's, which is equal.
    """
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    if token:
        shown = client.get(world.page).get_data(as_text=True)
        found = re.search(
            r'name="[\w-]*csrfmiddlewaretoken"[^>]*value="([^"]+)"', shown
        )
        cookie = client.get_cookie("csrftoken")
        assert found or cookie, "signed in clients have a CSRF token"
        data[f"{prefix}-{CSRF_FIELD}"] = found.group(1) if found else cookie.value  # type: ignore[union-attr]
    return client.post(world.page + path, data=data)


def field_errors(html: str, name: str) -> list[str]:
    """Return the error messages shown at the form field named ``name``."""
    pattern = re.compile(
        r'<div class="field invalid">\s*<label for="' + re.escape(name) + r'".*?</div>',
        re.S,
    )
    block = pattern.search(html)
    if block is None:
        return []
    return re.findall(r'<p class="error">(.*?)</p>', block.group(0), re.S)
