"""Per-organization alert webhooks: OWNERs set them, the secret never comes back,
and each organization's alerts reach its own receiver (real HTTP on loopback), signed
with its own secret."""

from __future__ import annotations

import ipaddress
import json
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import Organization, Role, User
from app.services.alerts import destinations
from tests.api.alerts.conftest import START, World, deliver, feed, run
from tests.api.alerts.test_alert_messages import Receiver
from tests.factories import (
    make_alert_rule,
    make_alert_webhook,
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
        # members read the URL back; the secret signs the calls
        ({"url": "http://user:pw@hooks.example.org/"}, "/data/attributes/url"),
        ({"url": "https://hooks.example.org:99999/"}, "/data/attributes/url"),
        ({"url": "https://hooks.example.org:0/"}, "/data/attributes/url"),
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

    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        self.server = HTTPServer(host="127.0.0.1", ssl_context=ssl_context)
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


@pytest.mark.usefixtures("private_hooks")
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
    assert hub.mine.hosts == [f"127.0.0.1:{hub.server.port}"]


#: Addresses of the operator's own network in the forms a URL can spell them.
NOT_PUBLIC = [
    "http://127.0.0.1:18111/internal-admin",
    "http://169.254.169.254/latest/meta-data/",  # the clouds' metadata service
    "http://10.0.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://localhost:5432/",
    "http://0/",
    "http://2130706433/",  # 127.0.0.1 as one number
    "http://[::1]:8112/x",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 of 169.254.169.254
    "http://[fe80::1]/",
]


@pytest.mark.parametrize("url", NOT_PUBLIC)
def test_a_webhook_on_the_operators_network_is_refused(
    client: FlaskClient, session: Session, world: World, owner: User, url: str
) -> None:
    """The jobs process would POST signed alerts into the operator's network."""
    resp = assert_refused(
        client,
        "POST",
        HOOKS,
        400,
        unchanged=["alert_webhooks"],
        pointer="/data/attributes/url",
        data=json.dumps(_doc(world.rule.organization_id, url=url, secret=SECRET)),
        content_type=JSONAPI,
        headers=auth_headers(session, owner),
    )
    assert "public internet" in json_of(resp)["errors"][0]["detail"]


def test_a_webhook_cannot_be_moved_onto_the_operators_network(
    client: FlaskClient, session: Session, world: World, owner: User
) -> None:
    org = session.get_one(Organization, world.rule.organization_id)
    hook = make_alert_webhook(session, org)
    doc = {
        "data": {
            "type": "AlertWebhook",
            "id": str(hook.id),
            "attributes": {"url": "http://169.254.169.254/latest/meta-data/"},
        }
    }
    assert_refused(
        client,
        "PATCH",
        f"{HOOKS}{hook.id}/",
        400,
        unchanged=["alert_webhooks"],
        pointer="/data/attributes/url",
        data=json.dumps(doc),
        content_type=JSONAPI,
        headers=auth_headers(session, owner),
    )


@pytest.mark.usefixtures("private_hooks")
def test_the_operator_may_allow_webhooks_on_private_addresses(
    client: FlaskClient, session: Session, world: World, owner: User
) -> None:
    doc = _doc(world.rule.organization_id, url=NOT_PUBLIC[0], secret=SECRET)
    assert _post(client, session, owner, doc).status_code == 201


def _notification(session: Session) -> dict[str, Any]:
    session.expire_all()
    row = session.execute(
        text(
            "SELECT delivered_at, parked_at, last_error FROM alert_notifications"
            " WHERE channel = 'webhook'"
        )
    ).one()
    return dict(row._mapping)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_call_to_a_webhook_now_on_a_private_address_is_parked(
    session: Session,
    app: Flask,
    world: World,
    http: httpx.Client,
    hub: Hub,
    mailbox: Mailbox,
    host: str,
) -> None:
    """Checked again when called: a name may resolve elsewhere than when saved."""
    org = session.get_one(Organization, world.rule.organization_id)
    url = hub.server.url_for("/mine").replace("127.0.0.1", host)
    make_alert_webhook(session, org, url=url, secret=SECRET)
    feed(session, world.node, START, (12, 1800))
    assert run(session).queued == 2  # the member's mail and the webhook
    result = deliver(session, app, http)
    assert (result.delivered, result.parked) == (1, 1)  # the mail went out
    assert hub.mine.calls == 0
    row = _notification(session)
    assert row["parked_at"] is not None
    assert "not a public internet address" in row["last_error"]
    assert "ALERTS_WEBHOOK_ALLOW_PRIVATE" in row["last_error"]


@pytest.mark.usefixtures("private_hooks")
def test_a_call_goes_to_the_address_resolved_under_the_urls_host(
    session: Session,
    app: Flask,
    world: World,
    http: httpx.Client,
    hub: Hub,
    mailbox: Mailbox,
) -> None:
    """The call connects to the address it checked; the receiver sees its name."""
    org = session.get_one(Organization, world.rule.organization_id)
    url = hub.server.url_for("/mine").replace("127.0.0.1", "localhost")
    make_alert_webhook(session, org, url=url, secret=SECRET)
    feed(session, world.node, START, (12, 1800))
    run(session)
    assert deliver(session, app, http).delivered == 2
    assert [e["event"] for e in hub.mine.events] == ["opened"]
    assert hub.mine.hosts == [f"localhost:{hub.server.port}"]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", True),
        ("127.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104  # an address checked, not bound
        ("::", False),
        ("::ffff:10.0.0.1", False),
        ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("224.0.0.1", False),
        ("fc00::1", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert destinations.is_public(ipaddress.ip_address(address)) is public


@pytest.fixture
def tls_hub(tmp_path: Path) -> Iterator[tuple[Hub, ssl.SSLContext]]:
    """The hub over HTTPS with a certificate for ``localhost``, and a context trusting it."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(  # fixed arguments
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(cert, key)
    hub = Hub(ssl_context=served)
    hub.server.start()
    hub.server.expect_request("/mine", method="POST").respond_with_handler(hub.mine)
    yield hub, ssl.create_default_context(cafile=str(cert))
    hub.server.clear()
    hub.server.stop()


@pytest.mark.usefixtures("private_hooks")
def test_an_https_call_to_the_checked_address_verifies_the_urls_host(
    session: Session,
    app: Flask,
    world: World,
    tls_hub: tuple[Hub, ssl.SSLContext],
    mailbox: Mailbox,
) -> None:
    """Aimed at an address, the call still names the host to TLS (SNI) and checks
    the certificate against it."""
    hub, trusted = tls_hub
    org = session.get_one(Organization, world.rule.organization_id)
    url = f"https://localhost:{hub.server.port}/mine"
    make_alert_webhook(session, org, url=url, secret=SECRET)
    feed(session, world.node, START, (12, 1800))
    run(session)
    with httpx.Client(verify=trusted, timeout=5.0) as client:
        assert deliver(session, app, client).delivered == 2
    assert [e["event"] for e in hub.mine.events] == ["opened"]
    assert hub.mine.hosts == [f"localhost:{hub.server.port}"]


def test_a_webhook_does_not_move_to_another_organization(
    client: FlaskClient, session: Session, world: World, owner: User
) -> None:
    """Like a rule: it answered 200 and changed nothing."""
    org = session.get_one(Organization, world.rule.organization_id)
    hook = make_alert_webhook(session, org)
    other = make_organization(session)
    make_membership(session, owner, other, Role.OWNER)

    def doc_for(target: int) -> dict[str, Any]:
        return {
            "data": {
                "type": "AlertWebhook",
                "id": str(hook.id),
                "attributes": {"url": "https://hooks.example.org/b"},
                "relationships": {
                    "organization": {
                        "data": {"type": "Organization", "id": str(target)}
                    }
                },
            }
        }

    for target in (other.id, other.id + 100_000):
        assert_refused(
            client,
            "PATCH",
            f"{HOOKS}{hook.id}/",
            400,
            unchanged=["alert_webhooks"],
            pointer="/data/relationships/organization",
            data=json.dumps(doc_for(target)),
            content_type=JSONAPI,
            headers=auth_headers(session, owner),
        )
    same = client.patch(
        f"{HOOKS}{hook.id}/",
        data=json.dumps(doc_for(org.id)),
        content_type=JSONAPI,
        headers=auth_headers(session, owner),
    )
    assert same.status_code == 200, same.json


def test_only_owners_read_the_whole_address(
    client: FlaskClient, session: Session, world: World, owner: User
) -> None:
    """The path of a chat service's webhook is its credential: an INSPECTOR sees
    where alerts go (the origin), never how to post there."""
    org = session.get_one(Organization, world.rule.organization_id)
    url = "https://hooks.example.org:8443/services/T000/B000/XXXXSECRETXXXX?x=1"
    created = _post(client, session, owner, _doc(org.id, url=url, secret=SECRET))
    assert created.status_code == 201, created.json
    hook_id = json_of(created)["data"]["id"]
    inspector = make_user(session)
    make_membership(session, inspector, org, Role.INSPECTOR)
    for user, expected in (
        (owner, url),
        (inspector, "https://hooks.example.org:8443"),
    ):
        headers = auth_headers(session, user)
        listed = json_of(client.get(HOOKS, headers=headers))["data"]
        one = json_of(client.get(f"{HOOKS}{hook_id}/", headers=headers))["data"]
        assert [hook["attributes"]["url"] for hook in listed] == [expected]
        assert one["attributes"]["url"] == expected
