"""The fidelity check: exact boundaries, nodes without samples, 10,000 nodes at once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.errors import ForbiddenError
from app.models import NodeFidelity
from app.models.devices import Fidelity
from app.services.access import SYSTEM, Actor
from app.services.fidelity.liveness import check_all
from tests.factories import (
    make_model,
    make_node,
    make_organization,
    make_protocol,
    make_samples,
)

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
L = 7200


def _verdict(session: Session, node_id: object) -> NodeFidelity:
    row = session.scalars(
        select(NodeFidelity).where(NodeFidelity.node_id == node_id)
    ).one()
    session.refresh(row)
    return row


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(0), Fidelity.ALIVE),
        (timedelta(seconds=L), Fidelity.ALIVE),
        (timedelta(seconds=L, milliseconds=1), Fidelity.MISSING),
        (timedelta(seconds=L + 1), Fidelity.MISSING),
        (timedelta(seconds=2 * L), Fidelity.MISSING),
        (timedelta(seconds=2 * L + 1), Fidelity.DEAD),
        (timedelta(days=30), Fidelity.DEAD),
        (timedelta(seconds=-60), Fidelity.ALIVE),
    ],
    ids=["now", "L", "L+1ms", "L+1s", "2L", "2L+1s", "30d", "future"],
)
def test_check_all_newest_sample_age_gives_verdict(
    session: Session, age: timedelta, expected: Fidelity
) -> None:
    node = make_node(session)
    make_samples(session, node, start=NOW - age - timedelta(hours=5), count=1)
    make_samples(session, node, start=NOW - age, count=1)

    check_all(session, SYSTEM, limit_s=L, now=NOW)

    verdict = _verdict(session, node.id)
    assert verdict.fidelity == expected
    assert verdict.last_contact == NOW - age
    assert verdict.last_check == NOW


def test_check_all_limit_is_configurable(session: Session) -> None:
    node = make_node(session)
    make_samples(session, node, start=NOW - timedelta(seconds=61), count=1)

    check_all(session, SYSTEM, limit_s=60, now=NOW)

    assert _verdict(session, node.id).fidelity == Fidelity.MISSING


def test_check_all_node_without_samples_is_unknown(session: Session) -> None:
    silent = make_node(session, eui64="0000000000000001")
    talking = make_node(session, eui64="FFFFFFFFFFFFFFFF")
    make_samples(session, talking, start=NOW - timedelta(minutes=1), count=1)

    result = check_all(session, SYSTEM, limit_s=L, now=NOW)

    unknown = _verdict(session, silent.id)
    assert unknown.fidelity == Fidelity.UNKNOWN
    assert unknown.last_contact is None
    assert unknown.last_check == NOW
    assert _verdict(session, talking.id).fidelity == Fidelity.ALIVE
    assert result.unknown >= 1
    assert result.alive >= 1


def test_check_all_overwrites_the_previous_verdict(session: Session) -> None:
    node = make_node(session)
    make_samples(session, node, start=NOW - timedelta(hours=3), count=1)
    check_all(session, SYSTEM, limit_s=L, now=NOW)

    make_samples(session, node, start=NOW - timedelta(minutes=1), count=1)
    check_all(session, SYSTEM, limit_s=L, now=NOW + timedelta(seconds=30))

    verdict = _verdict(session, node.id)
    assert verdict.fidelity == Fidelity.ALIVE
    assert verdict.last_check == NOW + timedelta(seconds=30)


def test_check_all_truncates_now_to_the_second(session: Session) -> None:
    node = make_node(session)

    check_all(session, SYSTEM, limit_s=L, now=NOW + timedelta(microseconds=700))

    assert _verdict(session, node.id).last_check == NOW


def test_check_all_refuses_callers_other_than_system(session: Session) -> None:
    with pytest.raises(ForbiddenError):
        check_all(session, Actor(user_id=1), limit_s=L, now=NOW)


def _bulk_nodes(session: Session, count: int) -> None:
    """``count`` nodes; i % 4 gives alive, missing, dead, no samples."""
    org = make_organization(session)
    protocol, model = make_protocol(session), make_model(session)
    session.execute(
        text(
            "INSERT INTO nodes (id, eui64, alias, protocol_id, model_id, owner_id) "
            "SELECT gen_random_uuid(), 'B' || lpad(upper(to_hex(i)), 15, '0'), "
            "'bulk ' || i, :p, :m, :o FROM generate_series(1, :n) AS i"
        ),
        {"p": protocol.id, "m": model.id, "o": org.id, "n": count},
    )
    # Ages by eui suffix: 10 min, 3 h, 5 h; every talking node also has an old
    # sample 10 days earlier, in another chunk.
    session.execute(
        text(
            """
INSERT INTO samples (time, node_id, co2_ppm)
SELECT :now - age, n.id, 500
FROM (SELECT id, row_number() OVER (ORDER BY eui64) AS i
      FROM nodes WHERE owner_id = :o) AS n
CROSS JOIN LATERAL (VALUES
    (CASE n.i % 4 WHEN 0 THEN interval '10 minutes'
                  WHEN 1 THEN interval '3 hours'
                  WHEN 2 THEN interval '5 hours' END),
    (interval '10 days')
) AS a(age)
WHERE n.i % 4 <> 3
"""
        ),
        {"now": NOW, "o": org.id},
    )


def test_check_all_ten_thousand_nodes_in_one_run(session: Session) -> None:
    _bulk_nodes(session, 10_000)

    started = time.monotonic()
    result = check_all(session, SYSTEM, limit_s=L, now=NOW)
    elapsed = time.monotonic() - started

    assert (result.alive, result.missing, result.dead, result.unknown) == (
        2500,
        2500,
        2500,
        2500,
    )
    assert elapsed < 10, f"10,000 nodes took {elapsed:.2f} s"
