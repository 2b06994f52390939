"""Alert messages: signed webhooks on loopback, the quiet period's digest, racing runs."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from flask import Flask

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import AlertNotification, AlertRule, Membership, Organization, User
from app.models.types import utcnow
from app.services.access import SYSTEM
from app.services.alerts import evaluate, notify
from tests.api.alerts.conftest import (
    MINUTE,
    RETRY,
    START,
    World,
    alerts,
    deliver,
    feed,
)
from tests.factories import make_alert_rule
from tests.support.smtp import Mailbox

SECRET = "alert-hook-secret"


class Receiver:
    """A webhook receiver that checks the signature and fails its first ``fail`` calls."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.hosts: list[str] = []  # the Host header of each call
        self.fail = 0
        self.fail_status = 503
        self.calls = 0
        self.secret = SECRET

    def __call__(self, request: Any) -> Any:
        from werkzeug import Response

        body = request.get_data()
        self.hosts.append(request.headers.get("Host", ""))
        expected = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
        if request.headers.get("X-Airq-Signature-256") != f"sha256={expected}":
            return Response("bad signature", status=401)
        self.calls += 1
        if self.calls <= self.fail:
            return Response("down", status=self.fail_status)
        self.events += json.loads(body)["events"]
        return Response("", status=204)


@pytest.fixture
def receiver(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    server = HTTPServer(host="127.0.0.1")
    server.start()
    hook = Receiver()
    server.expect_request("/alerts", method="POST").respond_with_handler(hook)
    monkeypatch.setitem(app.config, "ALERTS_WEBHOOK_URL", server.url_for("/alerts"))
    monkeypatch.setitem(app.config, "ALERTS_WEBHOOK_SECRET", SECRET)
    yield hook
    server.clear()
    server.stop()


def test_a_signed_webhook_is_delivered_after_the_receiver_recovers(
    session: Session,
    app: Flask,
    world: World,
    mailbox: Mailbox,
    http: httpx.Client,
    receiver: Receiver,
) -> None:
    receiver.fail = 1
    feed(session, world.node, START, (12, 1800))
    settings = notify.NotifySettings(quiet_s=0, webhook=True)
    assert evaluate.evaluate(session, SYSTEM, settings).queued == 2  # mail, webhook

    first = deliver(session, app, http)
    assert (first.delivered, first.failed) == (1, 1)  # the mail went, the hook failed
    assert receiver.events == []
    later = deliver(session, app, http, now=utcnow() + timedelta(minutes=5))
    assert later.delivered == 1
    (event,) = receiver.events
    assert event["event"] == "opened"
    assert event["opened_s"] == int((START + timedelta(minutes=10)).timestamp())
    assert len(mailbox.received) == 1


def test_openings_in_the_quiet_period_fold_into_one_digest(
    session: Session, app: Flask, world: World, mailbox: Mailbox, http: httpx.Client
) -> None:
    settings = notify.NotifySettings(quiet_s=1800)
    episode = ((11, 1800), (6, 1000))  # opens at minute 10, clears at minute 16
    end = feed(session, world.node, START, *episode)
    first = START + 17 * MINUTE
    evaluate.evaluate(session, SYSTEM, settings, now=first)
    assert deliver(session, app, http, now=first).messages == 1  # opened and cleared
    end = feed(session, world.node, end, *episode, *episode)  # within half an hour
    evaluate.evaluate(session, SYSTEM, settings, now=START + 40 * MINUTE)

    assert len(alerts(session, world.rule)) == 3
    held = deliver(session, app, http, now=first + 29 * MINUTE)
    assert held.claimed == 0
    digest = deliver(session, app, http, now=first + 30 * MINUTE)
    assert (digest.messages, digest.delivered) == (1, 4)
    assert len(mailbox.received) == 2
    assert mailbox.received[1].subject.endswith("4 alerts in Klasse 5a")


@pytest.fixture
def committed(app: Flask) -> Iterator[Session]:
    """A session that really commits (for racing runs); its rows are removed after."""
    with Session(db.engine) as session:
        yield session
        session.rollback()
        session.execute(delete(Organization).where(Organization.name.like("Race %")))
        session.execute(delete(User).where(User.username.like("race-%")))
        session.commit()


def test_two_evaluations_racing_send_one_mail(
    committed: Session, app: Flask, mailbox: Mailbox, http: httpx.Client
) -> None:
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

    org = make_organization(committed, name="Race org")
    room = make_room(committed, make_site(committed, org))
    node = make_node(committed, owner=org)
    make_installation(
        committed, node=node, room=room, from_time=START - timedelta(days=1)
    )
    member = make_user(committed, username="race-member")
    make_membership(committed, member, org).notify_alerts = True
    rule = make_alert_rule(committed, org)
    feed(committed, node, START, (12, 1800))
    committed.commit()

    barrier = threading.Barrier(2)
    results: list[evaluate.EvaluationResult] = []
    engine = db.engine

    def one_run() -> None:
        with Session(engine) as session:
            barrier.wait()
            results.append(
                evaluate.evaluate(session, SYSTEM, notify.NotifySettings(quiet_s=0))
            )
            session.commit()

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(r.opened for r in results) == [0, 1]
    with Session(db.engine) as session:
        assert len(alerts(session, rule)) == 1
        deliver(session, app, http)
        deliver(session, app, http)
        session.commit()
    assert mailbox.only().recipients == [member.email]


@pytest.mark.parametrize(("status", "parked_at_once"), [(410, True), (404, False)])
def test_a_webhook_gone_for_good_is_parked_at_once(
    session: Session,
    app: Flask,
    world: World,
    mailbox: Mailbox,
    http: httpx.Client,
    receiver: Receiver,
    status: int,
    parked_at_once: bool,
) -> None:
    receiver.fail, receiver.fail_status = 1, status
    feed(session, world.node, START, (12, 1800))
    settings = notify.NotifySettings(quiet_s=0, webhook=True)
    assert evaluate.evaluate(session, SYSTEM, settings).queued == 2  # mail, webhook

    result = deliver(session, app, http)

    assert (result.delivered, result.failed) == (1, 1)  # the mail went, the hook not
    assert result.parked == int(parked_at_once)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that takes connections and never says a word."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)  # never accepted: the kernel completes the handshakes
        yield int(sock.getsockname()[1])


def _more_rules(session: Session, world: World, count: int) -> list[AlertRule]:
    org = session.get_one(Organization, world.rule.organization_id)
    return [make_alert_rule(session, org, name=f"Also {n}") for n in range(count)]


def test_a_message_that_cannot_be_built_fails_alone_and_is_parked(
    session: Session, app: Flask, world: World, mailbox: Mailbox, http: httpx.Client
) -> None:
    (broken,) = _more_rules(session, world, 1)
    feed(session, world.node, START, (12, 1800))
    assert evaluate.evaluate(session, SYSTEM, notify.NotifySettings()).queued == 2
    session.execute(  # a zone this machine's tz database does not know (any more)
        update(AlertRule).where(AlertRule.id == broken.id).values(time_zone="No/Where")
    )

    first = deliver(session, app, http)
    later = [
        deliver(session, app, http, now=utcnow() + timedelta(days=n))
        for n in range(1, RETRY.max_attempts)
    ]

    assert (first.delivered, first.failed) == (1, 1)
    assert len(mailbox.received) == 1  # the other rule's mail, once
    assert sum(r.parked for r in later) == 1
    assert sum(r.failed for r in later) == RETRY.max_attempts - 1
    error = session.scalar(
        select(AlertNotification.last_error).where(
            AlertNotification.parked_at.is_not(None)
        )
    )
    assert error is not None
    assert error.startswith("mail: ZoneInfoNotFoundError")


@pytest.mark.parametrize(
    ("reply", "parked_at_once"),
    [("550 5.1.1 No such user here", True), ("450 4.2.1 Mailbox busy", False)],
)
def test_a_recipient_refused_for_good_is_parked_at_once(
    session: Session,
    app: Flask,
    world: World,
    mailbox: Mailbox,
    http: httpx.Client,
    reply: str,
    parked_at_once: bool,
) -> None:
    feed(session, world.node, START, (12, 1800))
    assert evaluate.evaluate(session, SYSTEM, notify.NotifySettings()).queued == 1
    mailbox.refuse[world.email] = reply

    result = deliver(session, app, http)

    assert (result.delivered, result.parked) == (0, int(parked_at_once))
    assert result.failed == 1
    assert mailbox.received == []


def test_a_hanging_mail_server_costs_one_timeout_per_run(
    session: Session,
    app: Flask,
    world: World,
    mailbox: Mailbox,
    http: httpx.Client,
    silent_port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _more_rules(session, world, 3)
    feed(session, world.node, START, (12, 1800))
    assert evaluate.evaluate(session, SYSTEM, notify.NotifySettings()).queued == 4
    mailbox_port = app.config["EMAIL_PORT"]
    monkeypatch.setitem(app.config, "EMAIL_PORT", silent_port)
    monkeypatch.setitem(app.config, "EMAIL_TIMEOUT_S", 1)

    started = time.monotonic()
    hanging = deliver(session, app, http)
    elapsed = time.monotonic() - started
    monkeypatch.setitem(app.config, "EMAIL_PORT", mailbox_port)
    recovered = deliver(session, app, http, now=utcnow() + timedelta(minutes=5))

    assert elapsed < 2  # one timeout, not four
    assert (hanging.failed, hanging.deferred, hanging.delivered) == (1, 3, 0)
    assert recovered.delivered == 4
    assert len(mailbox.received) == 4


def test_a_hanging_webhook_costs_one_timeout_per_run(
    session: Session,
    app: Flask,
    world: World,
    mailbox: Mailbox,
    http: httpx.Client,
    silent_port: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _more_rules(session, world, 2)
    feed(session, world.node, START, (12, 1800))
    monkeypatch.setitem(
        app.config, "ALERTS_WEBHOOK_URL", f"http://127.0.0.1:{silent_port}/alerts"
    )
    monkeypatch.setitem(app.config, "ALERTS_WEBHOOK_SECRET", SECRET)
    settings = notify.NotifySettings(webhook=True)
    assert evaluate.evaluate(session, SYSTEM, settings).queued == 6  # 3 mails, 3 calls

    started = time.monotonic()
    result = deliver(session, app, http)
    elapsed = time.monotonic() - started

    assert elapsed < 2  # the client's 1 s timeout once, not three times
    assert (result.delivered, result.failed, result.deferred) == (3, 1, 2)


@pytest.mark.parametrize("change", ["opted out", "deactivated", "address removed"])
def test_a_queued_mail_is_dropped_when_the_member_no_longer_wants_it(
    session: Session,
    app: Flask,
    world: World,
    mailbox: Mailbox,
    http: httpx.Client,
    change: str,
) -> None:
    feed(session, world.node, START, (12, 1800))
    assert evaluate.evaluate(session, SYSTEM, notify.NotifySettings()).queued == 1
    member = session.scalars(select(User).where(User.email == world.email)).one()
    if change == "opted out":
        for membership in session.scalars(
            select(Membership).where(Membership.user_id == member.id)
        ):
            membership.notify_alerts = False
    elif change == "deactivated":
        member.is_active = False
    else:
        member.email = ""
    session.flush()

    result = deliver(session, app, http)

    assert (result.dropped, result.delivered, result.failed) == (1, 0, 0)
    assert mailbox.received == []
    assert session.scalar(select(func.count()).select_from(AlertNotification)) == 0
