"""The CO2 evaluation carried from run to run (``alert_room_state``).

A run continues each room from its state and reads only the samples after it;
rooms without state and late samples take the exact recomputation. Whatever the
path, the alerts must be the ones a single catch-up run over the same samples
gives: twin rooms get the same CO2 series, one all at once, the other a few
minutes per run (a second node one run behind, a late gap in the middle).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import (
    AlertRoomState,
    AlertRule,
    Installation,
    Node,
    Organization,
    Role,
    Room,
)
from app.models.types import utcnow
from app.services.access import actor_for
from app.services.alerts import rules
from tests.api.alerts.conftest import MINUTE, SINCE, World, alerts, feed, run
from tests.factories import (
    make_alert_rule,
    make_installation,
    make_membership,
    make_node,
    make_room,
    make_samples,
    make_site,
    make_user,
)

BEGIN = utcnow().replace(second=0, microsecond=0) - timedelta(hours=7)
MINUTES = 300
STEP = 7  # minutes fed per run
LATE_AFTER = 150  # the first room's node sends minutes after its next fall late


@dataclass
class Twin:
    """Two rooms with the same nodes' series: one fed at once, one run by run."""

    at_once: Room
    stepwise: Room
    series: list[list[int]]  # per node of the room
    nodes: tuple[list[Node], list[Node]]


def _series(seed: int) -> list[int]:
    """CO2 swinging through both levels, with noise that makes short runs."""
    rng = random.Random(seed)  # noqa: S311  # test data, not secrets
    return [
        round(1450 + 450 * math.sin(2 * math.pi * i / 70 + seed) + rng.randint(-90, 90))
        for i in range(MINUTES)
    ]


def _twin(session: Session, org: Organization, seeds: list[int]) -> Twin:
    site = make_site(session, operator=org)
    rooms = (make_room(session, site=site), make_room(session, site=site))
    nodes: tuple[list[Node], list[Node]] = ([], [])
    for room, placed in zip(rooms, nodes, strict=True):
        for _ in seeds:
            node = make_node(session, owner=org)
            make_installation(session, node=node, room=room, from_time=SINCE)
            placed.append(node)
    return Twin(rooms[0], rooms[1], [_series(s) for s in seeds], nodes)


def _feed(session: Session, node: Node, values: list[int], minutes: range) -> None:
    """The node's samples of ``minutes`` (each 30 s into its minute)."""
    if minutes:
        make_samples(
            session,
            node,
            start=BEGIN + minutes.start * MINUTE + timedelta(seconds=30),
            count=len(minutes),
            step=MINUTE,
            co2_ppm=values[minutes.start : minutes.stop],
        )


def _without(minutes: range, gap: range) -> list[range]:
    """``minutes`` less ``gap``: the parts before and after it."""
    if not gap:
        return [minutes]
    return [
        range(minutes.start, min(minutes.stop, gap.start)),
        range(max(minutes.start, gap.stop), minutes.stop),
    ]


def _episodes(
    session: Session, rule: AlertRule, room: Room
) -> list[tuple[object, ...]]:
    """The room's alerts relative to BEGIN, the installation by its node's place."""
    places = {
        inst_id: place
        for place, inst_id in enumerate(
            session.scalars(
                select(Installation.id)
                .where(Installation.room_id == room.id)
                .order_by(Installation.id)
            )
        )
    }
    return [
        (
            a.since - BEGIN,
            a.opened_at - BEGIN,
            a.cleared_at - BEGIN if a.cleared_at else None,
            a.peak_ppm,
            places[a.installation_id] if a.installation_id else None,
        )
        for a in alerts(session, rule)
        if a.room_id == room.id
    ]


def _state(session: Session, rule: AlertRule, room: Room) -> tuple[object, ...]:
    st = session.get_one(AlertRoomState, (rule.id, room.id))
    return (
        st.run_class,
        st.run_start - BEGIN if st.run_start else None,
        st.run_peak_ppm,
        st.evaluated_to - BEGIN,
    )


def test_runs_from_state_give_the_alerts_of_one_catch_up_run(
    session: Session, world: World
) -> None:
    org = session.get_one(Organization, world.rule.organization_id)
    twins = [
        _twin(session, org, [1]),
        _twin(session, org, [2]),
        _twin(session, org, [3, 4]),
    ]
    for twin in twins:
        for node, values in zip(twin.nodes[0], twin.series, strict=True):
            _feed(session, node, values, range(MINUTES))
    run(session)  # one catch-up run: the samples are an hour old, nothing holds back

    late_node = twins[0].nodes[1][0]
    fall = next(
        m
        for m in range(LATE_AFTER, MINUTES)
        if twins[0].series[0][m] < 1400 <= twins[0].series[0][m - 1]
    )
    # the minutes of the clear: late, they move it earlier (an opening would stay)
    late = range(fall + 2, fall + 8)
    for lo in range(0, MINUTES + STEP, STEP):
        for twin in twins:
            for place, node in enumerate(twin.nodes[1]):
                behind = STEP * place  # a second node reports one run behind
                due = range(max(lo - behind, 0), min(lo + STEP - behind, MINUTES))
                for part in _without(due, late if node is late_node else range(0)):
                    _feed(session, node, twin.series[place], part)
        if lo == fall + 50 - (fall + 50) % STEP:  # 50 minutes late
            _feed(session, late_node, twins[0].series[0], late)
        run(session, BEGIN + (lo + STEP) * MINUTE)
    run(session)

    for twin in twins:
        expected = _episodes(session, world.rule, twin.at_once)
        assert len(expected) >= 3
        assert any(e[2] is not None for e in expected)
        assert _episodes(session, world.rule, twin.stepwise) == expected
        assert _state(session, world.rule, twin.stepwise) == _state(
            session, world.rule, twin.at_once
        )


def test_a_node_one_run_behind_holds_its_room_back_instead_of_going_late(
    session: Session, world: World
) -> None:
    second = make_node(session, owner=world.node.owner)
    make_installation(session, node=second, room=world.room, from_time=SINCE)
    _feed(session, world.node, [900] * 20, range(20))
    _feed(session, second, [900] * 10, range(10))
    run(session, BEGIN + 20 * MINUTE)

    st = session.get_one(AlertRoomState, (world.rule.id, world.room.id))
    assert st.evaluated_to == BEGIN + 9 * MINUTE + timedelta(seconds=30)
    assert st.seen_to == BEGIN + 19 * MINUTE + timedelta(seconds=30)


def _edit(session: Session, world: World, **attributes: object) -> None:
    owner = make_user(session)
    org = session.get_one(Organization, world.rule.organization_id)
    make_membership(session, owner, org, Role.OWNER)
    write = rules.RuleWrite(attributes=attributes)
    rules.update_rule(session, actor_for(session, owner), world.rule.id, write)


def test_an_edited_rule_judges_from_the_edit_on(session: Session, world: World) -> None:
    end = feed(session, world.node, BEGIN, (12, 1600))
    assert run(session).opened == 1  # 1600 >= 1500 for 10 minutes

    _edit(session, world, threshold_ppm=2000)
    end = feed(session, world.node, end, (6, 1600))  # below 2000 - 100 from the edit
    assert run(session).cleared == 1
    (alert,) = alerts(session, world.rule)
    assert alert.cleared_at == BEGIN + 17 * MINUTE  # 5 minutes into the low run
    assert alert.since == BEGIN  # the past stands as judged

    feed(session, world.node, end, (12, 2100))
    assert run(session).opened == 1  # the new level, the full duration again
    assert alerts(session, world.rule)[1].opened_at == end + 10 * MINUTE


def test_a_late_sample_from_before_a_rule_edit_leaves_the_past_as_judged(
    session: Session, world: World
) -> None:
    """The recomputation a late sample starts once judged the past by new levels."""
    end = feed(session, world.node, BEGIN, (12, 1200))
    assert run(session).opened == 0  # 1200 is fine by 1500
    _edit(session, world, threshold_ppm=1000)
    end = feed(session, world.node, end, (3, 800))
    assert run(session).opened == 0
    # late, from before the edit: 1200 is high by 1000, but it was judged by 1500
    make_samples(session, world.node, start=BEGIN + 5.5 * MINUTE, count=1, co2_ppm=1200)
    assert run(session).opened == 0
    assert alerts(session, world.rule) == []

    feed(session, world.node, end, (12, 1200))  # after the edit: the new level
    assert run(session).opened == 1
    assert alerts(session, world.rule)[0].since == end


def test_a_rule_edit_restarts_the_run_a_scope_change_drops_the_state(
    session: Session, world: World
) -> None:
    end = feed(session, world.node, BEGIN, (8, 1600))
    run(session)  # 8 minutes into a high run: no alert yet
    _edit(session, world, duration_s=900)
    end = feed(session, world.node, end, (8, 1600))
    assert run(session).opened == 0  # the run restarted at the edit: 8 < 15 minutes
    feed(session, world.node, end, (8, 1600))
    assert run(session).opened == 1
    assert alerts(session, world.rule)[0].since == BEGIN + 8 * MINUTE

    _edit(session, world, enabled=False)
    assert session.get(AlertRoomState, (world.rule.id, world.room.id)) is None


def test_narrowing_a_rule_to_a_room_drops_the_state(
    session: Session, world: World
) -> None:
    """The room's lookup once flushed the rule, hiding the change from the state."""
    feed(session, world.node, BEGIN, (8, 1600))
    run(session)
    assert session.get(AlertRoomState, (world.rule.id, world.room.id)) is not None
    owner = make_user(session)
    org = session.get_one(Organization, world.rule.organization_id)
    make_membership(session, owner, org, Role.OWNER)
    write = rules.RuleWrite(site_id=world.room.site_id, room_id=world.room.id)
    rules.update_rule(session, actor_for(session, owner), world.rule.id, write)
    assert session.get(AlertRoomState, (world.rule.id, world.room.id)) is None


def test_a_rule_disabled_and_enabled_again_reopens_the_episode_going_on(
    session: Session, world: World
) -> None:
    end = feed(session, world.node, BEGIN, (12, 1600))
    assert run(session).opened == 1
    _edit(session, world, enabled=False)
    assert run(session).cleared == 1  # closed: the rule no longer covers the room
    _edit(session, world, enabled=True)
    feed(session, world.node, end, (5, 1600))
    assert run(session).opened == 0  # the same episode, not a second alert
    (alert,) = alerts(session, world.rule)
    assert alert.cleared_at is None
    assert alert.cleared_reason is None
    assert alert.since == BEGIN


def test_a_deleted_rule_takes_its_state_along(session: Session, world: World) -> None:
    feed(session, world.node, BEGIN, (5, 900))
    run(session)
    assert session.get(AlertRoomState, (world.rule.id, world.room.id)) is not None
    rule_id = world.rule.id
    session.delete(world.rule)
    session.flush()
    session.expire_all()
    assert session.get(AlertRoomState, (rule_id, world.room.id)) is None


def test_a_new_rule_starts_with_the_next_samples(
    session: Session, world: World
) -> None:
    end = feed(session, world.node, BEGIN, (30, 1600))
    run(session)
    org = session.get_one(Organization, world.rule.organization_id)
    newer = make_alert_rule(session, org, threshold_ppm=1550)
    feed(session, world.node, end, (12, 1600))
    assert run(session).opened == 1  # the new rule's; the old one's stays open
    (alert,) = alerts(session, newer)
    # it looks back its durations (15 minutes) from the first new sample
    assert alert.since == end - 15 * MINUTE
    assert alert.opened_at == end - 5 * MINUTE
    assert len(alerts(session, world.rule)) == 1


def test_samples_after_the_installation_ends_do_not_count(
    session: Session, world: World
) -> None:
    end = feed(session, world.node, BEGIN, (15, 1800))
    run(session)
    installation = session.scalars(
        select(Installation).where(Installation.node_id == world.node.id)
    ).one()
    installation.to_time = end + 5 * MINUTE
    session.flush()
    feed(session, world.node, end, (10, 2500))  # 5 minutes in the room, 5 elsewhere
    run(session)
    (alert,) = alerts(session, world.rule)
    assert alert.peak_ppm == 2500
    st = session.get_one(AlertRoomState, (world.rule.id, world.room.id))
    assert st.evaluated_to == end + 4 * MINUTE

    feed(session, world.node, end + 10 * MINUTE, (10, 900))  # not in the room
    result = run(session)
    assert result.cleared == 0
    assert alerts(session, world.rule)[0].cleared_at is None


def test_a_late_sample_of_a_reporting_node_recomputes_up_to_the_state(
    session: Session, world: World
) -> None:
    end = feed(session, world.node, BEGIN, (20, 1800))
    assert run(session, end).opened == 1
    # minute 5.5, below the levels: the high run restarts at minute 6
    make_samples(session, world.node, start=BEGIN + 5.5 * MINUTE, count=1, co2_ppm=900)
    run(session, end)  # the late sample is the node's newest new one: still recent
    feed(session, world.node, end, (6, 900))
    assert run(session, end + 6 * MINUTE).cleared == 1
    (alert,) = alerts(session, world.rule)
    assert alert.since == BEGIN  # an opening stays where it was
    assert alert.cleared_at == end + 5 * MINUTE  # 5 minutes into the low run


def test_a_late_sample_joining_two_alerts_leaves_one_open(
    session: Session, world: World
) -> None:
    """The joined episode once re-opened the first alert beside the second."""
    feed(session, world.node, BEGIN, (12, 1800), (7, 900), (13, 1800))
    assert run(session).opened == 2  # cleared at minute 17, the second at 29
    # the half minutes 12.5 .. 18.5, late and high: no 5 minutes of good air
    make_samples(
        session,
        world.node,
        start=BEGIN + 12.5 * MINUTE,
        count=7,
        step=MINUTE,
        co2_ppm=1800,
    )
    run(session)
    first, second = alerts(session, world.rule)
    assert first.cleared_at == BEGIN + 17 * MINUTE  # the second alert goes on from it
    assert second.cleared_at is None
    assert second.since == first.cleared_at
    assert second.opened_at == BEGIN + 29 * MINUTE


def test_a_node_behind_holds_its_room_back_in_runs_it_sends_nothing(
    session: Session, world: World
) -> None:
    """Held back for one run only, its next samples were late: an alert opened early."""
    second = make_node(session, owner=world.node.owner)
    make_installation(session, node=second, room=world.room, from_time=SINCE)
    half = timedelta(seconds=30)
    _feed(session, world.node, [1800] * 20, range(20))  # minutes 0.5 .. 19.5
    make_samples(session, second, start=BEGIN, count=10, step=MINUTE, co2_ppm=1800)
    run(session, BEGIN + 20 * MINUTE)  # the second node ten minutes behind
    run(session, BEGIN + 20 * MINUTE + half)  # nothing new
    _feed(session, world.node, [1800] * 21, range(20, 21))
    run(session, BEGIN + 21 * MINUTE)  # only the first node sent
    st = session.get_one(AlertRoomState, (world.rule.id, world.room.id))
    assert st.evaluated_to == BEGIN + 9 * MINUTE
    # minute 10 on: low air between the first node's samples, never 10 minutes high
    make_samples(
        session, second, start=BEGIN + 10 * MINUTE, count=10, step=MINUTE, co2_ppm=900
    )
    run(session, BEGIN + 21 * MINUTE + half)
    assert alerts(session, world.rule) == []


def test_a_late_sample_keeps_the_start_and_peak_of_a_run_before_the_active_hours(
    session: Session, world: World
) -> None:
    """The recomputation read back only the durations: the run seemed to start late."""
    world.rule.active_from = time(8)  # 07:00 UTC in February
    world.rule.active_to = time(16)
    session.flush()
    start = datetime(2026, 2, 10, 5, 0, tzinfo=UTC)
    end = feed(session, world.node, start, (1, 1900), (110, 1600))  # to 06:50
    run(session, end)
    make_samples(  # 06:30:30, late
        session, world.node, start=start + 90.5 * MINUTE, count=1, co2_ppm=1600
    )
    run(session, end)
    feed(session, world.node, end, (20, 1600))
    run(session, end + 20 * MINUTE)
    (alert,) = alerts(session, world.rule)
    assert alert.opened_at == datetime(2026, 2, 10, 7, 0, tzinfo=UTC)
    assert alert.since == start
    assert alert.peak_ppm == 1900


def test_a_spike_too_short_to_open_counts_in_the_open_alerts_peak(
    session: Session, world: World
) -> None:
    """Only the high runs that opened by themselves counted: the spike was left out."""
    feed(session, world.node, BEGIN, (12, 1600), (1, 1450), (2, 2000), (1, 1450))
    end = feed(session, world.node, BEGIN + 16 * MINUTE, (3, 1600))
    run(session, end)  # one piece
    feed(session, world.node, end, (1, 1450), (2, 2100), (1, 1450), (3, 1600))
    run(session, end + 7 * MINUTE)  # and one run after the other
    (alert,) = alerts(session, world.rule)
    assert alert.peak_ppm == 2100


def test_a_late_sample_after_a_gap_opens_the_high_run_from_its_start(
    session: Session, world: World
) -> None:
    """The recomputation read back only the durations: the run seemed to start at it."""
    end = feed(session, world.node, BEGIN, (5, 900), (1, 1600))  # high from minute 5
    later = end + 20 * MINUTE  # nothing for 20 minutes, then good air
    feed(session, world.node, later, (1, 1450))
    run(session, later)
    make_samples(session, world.node, start=end + 15 * MINUTE, count=1, co2_ppm=1700)
    run(session, later)  # late: 15 minutes into the high run
    (alert,) = alerts(session, world.rule)
    assert alert.since == BEGIN + 5 * MINUTE
    assert alert.opened_at == end + 15 * MINUTE
    assert alert.peak_ppm == 1700


def test_an_alert_whose_high_run_late_samples_undo_clears_by_the_good_air_after(
    session: Session, world: World
) -> None:
    """Recomputed, no episode overlapped the alert: it stayed open through good air."""
    second = make_node(session, owner=world.node.owner)
    make_installation(session, node=second, room=world.room, from_time=SINCE)
    end = feed(session, world.node, BEGIN, (12, 1800))
    assert run(session).opened == 1
    feed(session, world.node, end, (20, 900))
    _feed(session, second, [900] * 12, range(12))  # late: the high run was never 10'
    assert run(session).cleared == 1
    (alert,) = alerts(session, world.rule)
    assert alert.opened_at == BEGIN + 10 * MINUTE  # the opening stays
    assert alert.cleared_at == end + 5 * MINUTE  # 5 minutes into the good air
