"""Per-organization alert webhooks: OWNERs set them, the secret never comes back,
and each organization's alerts reach its own receiver (real HTTP on loopback), signed
with its own secret."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Organization, Role, User
from tests.api.alerts.conftest import START, World, deliver, feed, run
from tests.api.alerts.test_alert_messages import Receiver
from tests.factories import (
    make_alert_rule,
    make_installation,
    make_membership,
    make_node,
    make_organization,
    make_room,
    make_site,
    make_user,
)
from tests.support.accounts import JSONAPI, json_of
from tests.support.auth import auth_headers
from tests.support.refusals import assert_refused
from tests.support.smtp import Mailbox

SECRET = "alert-hook-secret"  # Receiver checks this one
OTHER_SECRET = "another-orgs-secret-key"
HOOKS = "/api/v1/alert-webhooks/"


def _doc(org_id: int, **attributes: Any) -> dict[str, Any]:
    return {
        "data": {
            "type": "AlertWebhook",
            "attributes": {"url": "https://hooks.example.org/a", **attributes},
            "relationships": {
                "organization": {"data": {"type": "Organization", "id": str(org_id)}}
            },
        }
    }


@pytest.fixture
def owner(session: Session, world: World) -> User:
    user = make_user(session)
    org = session.get_one(Organization, world.rule.organization_id)
    make_membership(session, user, org, Role.OWNER)
    return user


def _post(client: FlaskClient, session: Session, user: User, doc: Any) -> Any:
    return client.post(
        HOOKS,
        data=json.dumps(doc),
        content_type=JSONAPI,
        headers=auth_headers(session, user),
    )


def test_an_owner_sets_the_webhook_and_never_reads_the_secret_back(
    client: FlaskClient, session: Session, world: World, owner: User
) -> None:
    org_id = world.rule.organization_id
    created = _post(client, session, owner, _doc(org_id, secret=SECRET))
    assert created.status_code == 201, created.json
    hook_id = created.json["data"]["id"]
    headers = auth_headers(session, owner)
    for resp in (
        created,
        client.get(HOOKS, headers=headers),
        client.get(f"{HOOKS}{hook_id}/", headers=headers),
    ):
        assert SECRET not in resp.get_data(as_text=True)
    assert json_of(client.get(HOOKS, headers=headers))["data"][0]["attributes"] == {
        "url": "https://hooks.example.org/a"
    }
    changed = client.patch(
        f"{HOOKS}{hook_id}/",
        data=json.dumps(
            {
                "data": {
                    "type": "AlertWebhook",
                    "id": hook_id,
                    "attributes": {"secret": OTHER_SECRET},
                }
            }
        ),
        content_type=JSONAPI,
        headers=headers,
    )
    assert changed.status_code == 200, changed.json
    assert OTHER_SECRET not in changed.get_data(as_text=True)


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"url": "ftp://hooks.example.org/", "secret": SECRET}, "/data/attributes/url"),
        ({"url": "not a url", "secret": SECRET}, "/data/attributes/url"),
        ({"secret": "short"}, "/data/attributes/secret"),
        ({"secret": None}, "/data/attributes/secret"),
    ],
)
def test_bad_values_are_400_at_their_pointer(
    client: FlaskClient,
    session: Session,
    world: World,
    owner: User,
    attributes: dict[str, Any],
    pointer: str,
) -> None:
    assert_refused(
        client,
        "POST",
        HOOKS,
        400,
        unchanged=["alert_webhooks"],
        pointer=pointer,
        data=json.dumps(_doc(world.rule.organization_id, **attributes)),
        content_type=JSONAPI,
        headers=auth_headers(session, owner),
    )


def test_a_second_webhook_conflicts_and_members_may_not_write(
    client: FlaskClient, session: Session, world: World, owner: User
) -> None:
    org_id = world.rule.organization_id
    assert _post(client, session, owner, _doc(org_id, secret=SECRET)).status_code == 201
    assert_refused(
        client,
        "POST",
        HOOKS,
        409,
        unchanged=["alert_webhooks"],
        pointer="/data/relationships/organization",
        data=json.dumps(_doc(org_id, secret=SECRET)),
        content_type=JSONAPI,
        headers=auth_headers(session, owner),
    )
    inspector = make_user(session)
    make_membership(
        session, inspector, session.get_one(Organization, org_id), Role.INSPECTOR
    )
    assert_refused(
        client,
        "POST",
        HOOKS,
        403,
        unchanged=["alert_webhooks"],
        data=json.dumps(_doc(org_id, secret=SECRET)),
        content_type=JSONAPI,
        headers=auth_headers(session, inspector),
    )
    stranger = make_user(session)
    make_membership(session, stranger, make_organization(session), Role.OWNER)
    listed = client.get(HOOKS, headers=auth_headers(session, stranger))
    assert json_of(listed)["data"] == []
    hook_id = json_of(client.get(HOOKS, headers=auth_headers(session, owner)))["data"][
        0
    ]["id"]
    assert_refused(
        client,
        "DELETE",
        f"{HOOKS}{hook_id}/",
        404,
        unchanged=["alert_webhooks"],
        headers=auth_headers(session, stranger),
    )


class Hub:
    """Two receivers on loopback, one per organization, each checking its secret."""

    def __init__(self) -> None:
        self.server = HTTPServer(host="127.0.0.1")
        self.mine, self.theirs = Receiver(), Receiver()
        self.theirs.secret = OTHER_SECRET


@pytest.fixture
def hub() -> Iterator[Hub]:
    hub = Hub()
    hub.server.start()
    hub.server.expect_request("/mine", method="POST").respond_with_handler(hub.mine)
    hub.server.expect_request("/theirs", method="POST").respond_with_handler(hub.theirs)
    yield hub
    hub.server.clear()
    hub.server.stop()


def test_each_organization_gets_its_alerts_at_its_own_signed_webhook(
    client: FlaskClient,
    session: Session,
    app: Flask,
    world: World,
    owner: User,
    http: httpx.Client,
    hub: Hub,
    mailbox: Mailbox,
) -> None:
    mine = _doc(world.rule.organization_id, secret=SECRET)
    mine["data"]["attributes"]["url"] = hub.server.url_for("/mine")
    assert _post(client, session, owner, mine).status_code == 201
    other = make_organization(session)
    other_owner = make_user(session)
    make_membership(session, other_owner, other, Role.OWNER)
    node = make_node(session, owner=other)
    make_installation(
        session, node=node, room=make_room(session, make_site(session, other))
    )
    make_alert_rule(session, other)
    theirs = _doc(other.id, secret=OTHER_SECRET)
    theirs["data"]["attributes"]["url"] = hub.server.url_for("/theirs")
    assert _post(client, session, other_owner, theirs).status_code == 201

    feed(session, world.node, START, (12, 1800))  # only my room is above
    assert run(session).queued == 2  # the member's mail and my webhook
    assert deliver(session, app, http).delivered == 2
    assert [e["event"] for e in hub.mine.events] == ["opened"]
    assert hub.theirs.calls == 0

    feed(session, node, START, (12, 1800))  # now theirs
    assert run(session).queued == 1  # their webhook (they have no mail member)
    assert deliver(session, app, http).delivered == 1
    assert [e["event"] for e in hub.theirs.events] == ["opened"]
    assert len(hub.mine.events) == 1
    assert len(mailbox.received) == 1
