"""Evaluating alert rules against real samples and delivering the messages over real SMTP.

Every test feeds samples through the ``samples`` trigger log, runs the
evaluation as the jobs process does and delivers the outbox to the aiosmtpd
server of ``tests/api/conftest.py`` (or a signed-webhook receiver on loopback).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import httpx
import pytest

from flask import Flask

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AlertKind, AlertRule, ClearReason, Installation, Organization
from app.models.types import utcnow
from tests.api.alerts.conftest import MINUTE, START, World, alerts, deliver, feed, run
from tests.factories import (
    make_alert_rule,
    make_room,
    make_samples,
    make_site,
)
from tests.support.smtp import Mailbox, free_port


def test_above_for_less_than_the_duration_is_nothing(
    session: Session, app: Flask, world: World, mailbox: Mailbox, http: httpx.Client
) -> None:
    feed(session, world.node, START, (9, 1800), (10, 700))
    assert run(session).opened == 0
    assert alerts(session, world.rule) == []
    assert deliver(session, app, http).claimed == 0
    assert mailbox.received == []


def test_above_for_the_duration_opens_one_alert_and_one_mail(
    session: Session, app: Flask, world: World, mailbox: Mailbox, http: httpx.Client
) -> None:
    feed(session, world.node, START, (5, 800), (12, 1800))

    assert run(session).opened == 1
    assert run(session).opened == 0  # a re-run opens nothing
    (alert,) = alerts(session, world.rule)
    assert alert.since == START + 5 * MINUTE
    assert alert.opened_at == START + 15 * MINUTE  # 10 minutes into the run
    assert alert.cleared_at is None
    assert alert.peak_ppm == 1800

    assert deliver(session, app, http).messages == 1
    assert deliver(session, app, http).claimed == 0
    mail = mailbox.only()
    assert mail.recipients == [world.email]
    assert "Klasse 5a" in mail.subject
    assert "1500 ppm" in mail.body
    chart = f"https://co2.example.org/dashboard/rooms/{world.room.id}/"
    assert chart in mail.links()


def test_back_below_clears_with_one_mail(
    session: Session, app: Flask, world: World, mailbox: Mailbox, http: httpx.Client
) -> None:
    end = feed(session, world.node, START, (12, 1800))
    run(session)
    deliver(session, app, http)
    mailbox.clear()
    feed(session, world.node, end, (3, 1450), (6, 1300))  # 1450: between the levels

    assert run(session).cleared == 1
    (alert,) = alerts(session, world.rule)
    # below 1400 from minute 15; cleared 5 minutes into that run
    assert alert.cleared_at == START + 20 * MINUTE
    assert deliver(session, app, http).messages == 1
    assert run(session).cleared == 0
    assert deliver(session, app, http).claimed == 0
    mail = mailbox.only()
    assert "1400 ppm" in mail.body


def test_a_late_sample_that_fills_a_gap_opens_and_clears_in_the_past_once(
    session: Session, app: Flask, world: World, mailbox: Mailbox, http: httpx.Client
) -> None:
    feed(session, world.node, START, (8, 1800))
    feed(session, world.node, START + 14 * MINUTE, (7, 900))
    assert run(session).opened == 0  # 8 minutes high, then good air

    feed(session, world.node, START + 8 * MINUTE, (6, 1900))  # the late minutes 8-13
    result = run(session)
    assert (result.opened, result.cleared) == (1, 1)
    (alert,) = alerts(session, world.rule)
    assert alert.opened_at == START + 10 * MINUTE
    assert alert.cleared_at == START + 19 * MINUTE
    assert alert.peak_ppm == 1900
    assert run(session).opened == 0
    assert deliver(session, app, http).messages == 1  # opened and cleared: one digest
    assert len(alerts(session, world.rule)) == 1
    assert len(mailbox.only().body.split("ppm")) > 2


def test_active_hours_follow_the_local_clock_across_a_dst_change(
    session: Session, world: World
) -> None:
    rule = world.rule
    rule.active_weekdays = [1, 2, 3, 4, 5]
    rule.active_from = time(8)
    rule.active_to = time(16)
    session.flush()
    # Friday before (CET, UTC+1) and Monday after (CEST, UTC+2) 29 March 2026:
    # high from 07:30 to 08:30 local time on both days.
    friday = datetime(2026, 3, 27, 6, 30, tzinfo=UTC)
    monday = datetime(2026, 3, 30, 5, 30, tzinfo=UTC)
    sunday = datetime(2026, 3, 29, 5, 30, tzinfo=UTC)
    for day in (friday, sunday, monday):
        feed(session, world.node, day, (60, 1800), (10, 600))

    run(session)

    opened = [a.opened_at for a in alerts(session, rule)]
    assert opened == [
        datetime(2026, 3, 27, 7, 0, tzinfo=UTC),  # 08:00 CET
        datetime(2026, 3, 30, 6, 0, tzinfo=UTC),  # 08:00 CEST
    ]


def test_smtp_down_mail_goes_out_after_recovery(
    session: Session,
    app: Flask,
    world: World,
    mailbox: Mailbox,
    http: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    port = app.config["EMAIL_PORT"]
    feed(session, world.node, START, (12, 1800))
    run(session)
    monkeypatch.setitem(app.config, "EMAIL_PORT", free_port())

    down = deliver(session, app, http)
    assert (down.failed, down.delivered) == (1, 0)
    assert mailbox.received == []

    monkeypatch.setitem(app.config, "EMAIL_PORT", port)
    assert deliver(session, app, http).claimed == 0  # backing off
    later = deliver(session, app, http, now=utcnow() + timedelta(minutes=5))
    assert later.delivered == 1
    assert mailbox.only().recipients == [world.email]


def _silence_rule(session: Session, world: World) -> AlertRule:
    return make_alert_rule(
        session,
        session.get_one(Organization, world.rule.organization_id),
        kind=AlertKind.SILENT,
        threshold_ppm=None,
        duration_s=7200,
    )


def test_a_silent_node_opens_an_alert_cleared_by_its_next_sample(
    session: Session, app: Flask, world: World, mailbox: Mailbox, http: httpx.Client
) -> None:
    silent = _silence_rule(session, world)
    last = feed(session, world.node, START - timedelta(hours=1), (1, 600))
    now = START + timedelta(hours=3)

    assert run(session, now).opened == 1
    assert run(session, now).opened == 0
    (alert,) = alerts(session, silent)
    assert alert.opened_at == last - MINUTE + timedelta(hours=2)
    assert deliver(session, app, http).messages == 1
    assert "silent" in mailbox.only().subject

    back = START + timedelta(hours=3, minutes=5)
    make_samples(session, world.node, start=back, count=1)
    assert run(session, back).cleared == 1
    assert alerts(session, silent)[0].cleared_at == back
    assert deliver(session, app, http).messages == 1
    assert len(mailbox.received) == 2


@pytest.mark.parametrize("how", ["ended", "deleted"])
def test_a_silence_alert_closes_when_its_node_leaves_the_room(
    session: Session,
    app: Flask,
    world: World,
    mailbox: Mailbox,
    http: httpx.Client,
    how: str,
) -> None:
    silent = _silence_rule(session, world)
    feed(session, world.node, START - timedelta(hours=1), (1, 600))
    now = START + timedelta(hours=3)
    assert run(session, now).opened == 1
    assert deliver(session, app, http).messages == 1
    mailbox.received.clear()

    installation = session.scalars(
        select(Installation).where(Installation.node_id == world.node.id)
    ).one()
    ended = now + timedelta(minutes=10)
    if how == "ended":
        installation.to_time = ended
    else:
        session.delete(installation)
    session.flush()
    later = ended + timedelta(minutes=5)
    assert run(session, later).cleared == 1
    (alert,) = alerts(session, silent)
    assert alert.cleared_reason == ClearReason.UNINSTALLED
    assert alert.cleared_at == (ended if how == "ended" else later)
    assert run(session, later + timedelta(hours=3)).opened == 0  # not back, no alert
    assert deliver(session, app, http).messages == 1
    assert "uninstalled" in mailbox.only().subject


@pytest.mark.parametrize("change", ["disabled", "another room", "another site"])
def test_an_open_alert_closes_with_one_mail_when_its_rule_stops_covering_the_room(
    session: Session,
    app: Flask,
    world: World,
    mailbox: Mailbox,
    http: httpx.Client,
    change: str,
) -> None:
    feed(session, world.node, START, (12, 1800))
    assert run(session).opened == 1
    deliver(session, app, http)
    mailbox.clear()

    org = session.get_one(Organization, world.rule.organization_id)
    if change == "disabled":
        world.rule.enabled = False
    elif change == "another room":
        world.rule.room_id = make_room(session, world.room.site).id
    else:
        world.rule.site_id = make_site(session, org).id
    session.flush()
    now = START + 30 * MINUTE
    assert run(session, now).cleared == 1
    (alert,) = alerts(session, world.rule)
    assert alert.cleared_reason == ClearReason.RULE_CHANGED
    assert alert.cleared_at == now
    assert run(session, now + MINUTE).cleared == 0
    assert deliver(session, app, http).messages == 1
    mail = mailbox.only()
    assert "rule changed" in mail.subject
    assert "disabled or changed" in mail.body


def test_a_late_sample_inside_a_silence_moves_its_start_not_a_second_alert(
    session: Session, world: World
) -> None:
    """The late sample cleared the alert before it opened, and a second one opened."""
    silent = _silence_rule(session, world)
    start = datetime(2026, 2, 10, 5, 0, tzinfo=UTC)
    make_samples(session, world.node, start=start, count=1)
    assert run(session, start + timedelta(hours=2, minutes=1)).opened == 1
    later = start + timedelta(hours=1)  # late: the node was silent a little less long
    make_samples(session, world.node, start=later, count=1)
    result = run(session, start + timedelta(hours=3, minutes=30))
    assert (result.opened, result.cleared) == (0, 0)
    (alert,) = alerts(session, silent)
    assert alert.since == later
    assert alert.opened_at == start + timedelta(hours=2)
    assert alert.cleared_at is None

    back = start + timedelta(hours=3, minutes=40)
    make_samples(session, world.node, start=back, count=1)
    assert run(session, back).cleared == 1
    assert alerts(session, silent)[0].cleared_at == back
