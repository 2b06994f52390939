"""The demo data set: realistic, complete, and idempotent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.models import Installation, Membership, Node, Organization, Role, Sample, User
from app.services.accounts.passwords import verify_password
from app.services.ops.demo import SAMPLE_DAYS, demo_node_id, load_demo
from tests.factories import count

NOW = datetime(2026, 3, 10, 12, 2, 30, tzinfo=UTC)
TABLES = (
    "users",
    "organizations",
    "memberships",
    "addresses",
    "sites",
    "rooms",
    "nodes",
    "installations",
    "samples",
    "quantities",
    "protocols",
    "node_models",
)


def test_demo_load_twice_changes_nothing(session: Session) -> None:
    first = load_demo(session, now=NOW)
    before = {t: count(session, t) for t in TABLES}

    second = load_demo(session, now=NOW)
    after = {t: count(session, t) for t in TABLES}

    assert first["samples_inserted"] > 0
    assert second["samples_inserted"] == 0
    assert after == before


def test_demo_has_owners_inspectors_and_working_logins(session: Session) -> None:
    load_demo(session, now=NOW)

    roles = set(session.scalars(select(Membership.role)))
    olivia = session.scalars(select(User).where(User.username == "olivia")).one()

    assert roles == {Role.OWNER, Role.INSPECTOR}
    assert verify_password(olivia.password_hash, "olivia-demo")
    assert (session.scalar(select(func.count(Organization.id))) or 0) >= 3


def test_demo_installations_include_public_and_ended_ones(session: Session) -> None:
    load_demo(session, now=NOW)

    installations = session.scalars(select(Installation)).all()

    assert any(i.is_public for i in installations)
    assert any(not i.is_public for i in installations)
    assert any(i.to_time is not None and i.to_time < NOW for i in installations)


def test_demo_samples_cover_30_days_every_5_minutes(session: Session) -> None:
    load_demo(session, now=NOW)
    node_id = demo_node_id("5a-Fenster")

    times = session.execute(
        select(func.min(Sample.time), func.max(Sample.time), func.count()).where(
            Sample.node_id == node_id
        )
    ).one()

    assert times[1] == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert times[1] - times[0] == timedelta(days=SAMPLE_DAYS)
    assert times[2] == SAMPLE_DAYS * 288 + 1


def test_demo_co2_is_higher_in_opening_hours_than_at_night(session: Session) -> None:
    load_demo(session, now=NOW)

    by_hour: dict[int, float] = dict(
        session.execute(
            text(
                "SELECT extract(hour FROM time AT TIME ZONE 'Europe/Berlin')::int AS h, "
                "avg(co2_ppm) FROM samples WHERE node_id = :n "
                "AND extract(isodow FROM time AT TIME ZONE 'Europe/Berlin') < 6 GROUP BY 1"
            ),
            {"n": demo_node_id("5a-Fenster")},
        ).all()
    )

    assert by_hour[12] > by_hour[3] + 400
    assert 380 <= by_hour[3] <= 460


def test_demo_has_a_silent_node_and_one_that_never_reported(session: Session) -> None:
    load_demo(session, now=NOW)

    latest: dict[str, datetime | None] = dict(
        session.execute(
            select(Node.alias, func.max(Sample.time))
            .outerjoin(Sample, Sample.node_id == Node.id)
            .group_by(Node.alias)
        ).all()
    )

    assert latest["Behandlung-1"] == datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    assert latest["Hinterzimmer"] is None
    assert latest["Tresen"] == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
