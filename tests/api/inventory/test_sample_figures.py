"""The lists and details show exact sample figures after a refresh and late writes,
for installations that start and end mid-day (buckets cut by their bounds)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import Node
from app.services.series import aggregates
from app.services.series.epoch import to_epoch
from tests.factories import (
    make_installation,
    make_membership,
    make_node,
    make_room,
    make_samples,
    make_site,
    make_user,
)
from tests.support.auth import auth_headers

START = datetime(2024, 5, 1, tzinfo=UTC)
REFRESHED = START + timedelta(days=6)
#: The two installations of the node meet at noon of day 3.
CUT = START + timedelta(days=3, hours=12)


def _direct(session: Session, node: Node, lo: datetime, hi: datetime | None) -> Any:
    """count(*) and the newest row in [lo, hi] straight from the samples table."""
    return session.execute(
        text(
            "SELECT count(*) OVER () AS n, time, co2_ppm FROM samples "
            "WHERE node_id = :node AND time >= :lo "
            "AND time <= coalesce(CAST(:hi AS timestamptz), 'infinity') "
            "ORDER BY time DESC LIMIT 1"
        ),
        {"node": node.id, "lo": lo, "hi": hi},
    ).one()


def test_list_figures_equal_a_direct_count_after_late_writes(
    client: FlaskClient, session: Session
) -> None:
    node = make_node(session)
    user = make_user(session)
    make_membership(session, user, node.owner)
    room = make_room(session, site=make_site(session, operator=node.owner))
    first = make_installation(
        session,
        node,
        room,
        from_time=START + timedelta(hours=7, minutes=1),
        to_time=CUT,
    )
    second = make_installation(
        session, node, room, from_time=CUT + timedelta(seconds=1)
    )
    make_samples(session, node, START, count=7 * 288)  # a week, 5-minute steps
    aggregates.refresh(session, until=REFRESHED)
    # Late (below the watermark, into stored days), out of order, and deleted.
    make_samples(session, node, CUT - timedelta(seconds=30), count=1, co2_ppm=1111)
    make_samples(session, node, START + timedelta(days=1, seconds=7), count=1)
    session.execute(
        text(
            "DELETE FROM samples WHERE node_id = :node "
            "AND time >= :t AND time < :t + INTERVAL '2 hours'"
        ),
        {"node": node.id, "t": START + timedelta(days=4)},
    )
    headers = auth_headers(session, user)

    installations = client.get("/api/v1/installations/", headers=headers).get_json()
    nodes = client.get("/api/v1/nodes/", headers=headers).get_json()

    by_id = {int(item["id"]): item["attributes"] for item in installations["data"]}
    for installation in (first, second):
        direct = _direct(session, node, installation.from_time, installation.to_time)
        shown = by_id[installation.id]
        assert shown["sample_count"] == direct.n
        assert shown["latest_sample"]["timestamp_s"] == to_epoch(direct.time)
        assert shown["latest_sample"]["co2_ppm"] == direct.co2_ppm
    # A sample at exactly the installation's end belongs to it.
    assert by_id[first.id]["latest_sample"]["timestamp_s"] == to_epoch(CUT)
    (shown,) = [item["attributes"] for item in nodes["data"]]
    direct = _direct(session, node, START - timedelta(days=1), None)
    assert shown["sample_count"] == direct.n
    assert shown["latest_sample"]["timestamp_s"] == to_epoch(direct.time)
