"""Benchmark: the dashboard's pages for an organization with 50 rooms.

``run(report, quick)`` migrates a throwaway database, gives one organization 50
rooms with a node each, stores 5-minute samples of every node from the first of
last month until now, and times over HTTP (werkzeug on loopback, one client):
the overview (current CO2, sample age, liveness and this month's medal of all
50 rooms), a room page (this month and last month's full air quality), the node,
installation, public and embed pages and the management page, after the jobs'
daily rollup has run (its backfill is timed too). The month figures of 50 rooms
from the rollup (the overview's cost on the last day of a month) are timed on
their own too. Target: each page's median
at most 50 ms. Run alone with ``python -m tests.bench.bench_dashboard [--quick]``.

``BENCH_DASHBOARD_MONTHS=25`` stores 25 months before this one instead of one
(about 11 million samples, 10-minute ones with ``--quick``) and adds the room
page of the month 24 months ago: a page's cost must not grow with history it
does not show.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import flask_migrate

from sqlalchemy import text

from app import create_app
from app.db import transaction
from app.extensions import db
from app.models import Role
from app.services.access import SYSTEM
from app.services.accounts.tokens import issue_user_key
from app.services.airquality.period import YearMonth
from app.services.dashboard import rollup
from app.services.dashboard.month import month_air
from app.services.series import aggregates
from tests.bench.bench_airquality import _serve, _time_requests
from tests.factories import (
    make_installation,
    make_membership,
    make_node,
    make_organization,
    make_room,
    make_site,
    make_user,
)
from tests.support.copy_series import insert_series
from tests.support.database import throwaway_database

TARGET_MS = 50.0
ROOMS = 50
ZONE = "Europe/Berlin"


def _co2(moment: datetime) -> int:
    """An office day: low at night, ~1400 ppm at noon on weekdays."""
    local = moment.astimezone(ZoneInfo(ZONE))
    hour = local.hour + local.minute / 60
    busy = local.weekday() < 5 and 8 <= hour < 18
    return int(450 + (950 * math.sin(math.pi * (hour - 8) / 10) if busy else 0))


def _months_before(now: datetime, months: int) -> YearMonth:
    local = now.astimezone(ZoneInfo(ZONE))
    index = local.year * 12 + local.month - 1 - months
    return YearMonth(index // 12, index % 12 + 1)


def _text(month: YearMonth) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def _seed(now: datetime, step: timedelta, months: int) -> dict[str, Any]:
    """The organization, its 50 rooms (two sites) and their samples since the
    first of the month ``months`` before this one."""
    first = _months_before(now, months)
    since = datetime(first.year, first.month, 1, tzinfo=ZoneInfo(ZONE))
    with transaction() as session:
        org = make_organization(session)
        owner = make_user(session)
        make_membership(session, owner, org, Role.OWNER)
        sites = [make_site(session, operator=org) for _ in range(2)]
        stored, rooms, nodes, installations = 0, [], [], []
        for index in range(ROOMS):
            room = make_room(session, site=sites[index % 2])
            node = make_node(session, owner=org)
            inst = make_installation(
                session,
                node=node,
                room=room,
                from_time=since - timedelta(days=1),
                is_public=index % 10 == 0,
            )
            stored += insert_series(session, node.id, since, now, step, co2_ppm=_co2)
            rooms.append(room.id)
            nodes.append(node.id)
            installations.append(inst.id)
        key = issue_user_key(session, owner).key
        seeded = {
            "org": org.id,
            "site": sites[0].id,
            "rooms": rooms,
            "node": nodes[0],
            "installation": installations[0],  # public
            "key": key,
            "stored": stored,
        }
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    return seeded


def _roll_up(now: datetime, samples: int, days_back: int) -> dict[str, Any]:
    """Refresh the series levels, then time the dashboard rollup's backfill."""
    caught_up = False
    while not caught_up:
        with transaction() as session:
            caught_up = aggregates.refresh(session, until=now).caught_up
    started = time.perf_counter()
    runs = 0
    while True:
        with transaction() as session:
            done = rollup.refresh(
                session,
                SYSTEM,
                timezone=ZONE,
                now=now,
                days_back=days_back,
                max_days=7,
            )
        runs += 1
        if not done.days_left:
            break
    return {
        "name": f"rollup backfill of {samples} samples ({runs} runs of 7 days)",
        "total_ms": round((time.perf_counter() - started) * 1000),
    }


def _figure(name: str, timings: list[float]) -> dict[str, Any]:
    median = statistics.median(timings)
    return {
        "name": name,
        "value": round(median, 1),
        "unit": "ms (median)",
        "p95_ms": round(statistics.quantiles(timings, n=20)[-1], 1),
        "target": f"<= {TARGET_MS:g}",
        "met": median <= TARGET_MS,
    }


def run(report: dict[str, Any], quick: bool) -> None:
    """Time the dashboard's pages over HTTP and add the figures to ``report``.

    Args:
        report: the benchmark report; this adds ``report["dashboard"]``.
        quick: 10-minute samples and fewer requests (a smoke run).
    """
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    requests = 10 if quick else 50
    now = datetime.now(UTC).replace(microsecond=0)
    step = timedelta(minutes=10 if quick else 5)
    months = int(os.environ.get("BENCH_DASHBOARD_MONTHS") or 1)
    figures = []
    with throwaway_database("co2_bench_dash") as url:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING", "TESTING": True}
        )
        with app.app_context():
            flask_migrate.upgrade()
            seeded = _seed(now, step, months)
            last = _months_before(now, 1)
            room = seeded["rooms"][0]
            days_back = app.config["DASHBOARD_ROLLUP_DAYS"]
            figures.append(_roll_up(now, seeded["stored"], days_back))
            inst = seeded["installation"]
            pages = {
                "overview, 50 rooms": f"/dashboard/organizations/{seeded['org']}/",
                "room, this month": f"/dashboard/rooms/{room}/",
                "room, last month": f"/dashboard/rooms/{room}/?month={_text(last)}",
                "node": f"/dashboard/nodes/{seeded['node']}/",
                "installation": f"/dashboard/installations/{inst}/",
                "public installation": f"/dashboard/public/installations/{inst}/",
                "embedded room": f"/dashboard/embed/rooms/{room}/",
                "manage": f"/dashboard/manage/{seeded['org']}/",
                "public site, 25 rooms": f"/dashboard/public/sites/{seeded['site']}/",
            }
            if months > 24:
                old = _months_before(now, 24)
                pages["room, 24 months ago"] = (
                    f"/dashboard/rooms/{room}/?month={_text(old)}"
                )
            headers = {"Authorization": f"Token {seeded['key']}"}
            server, port = _serve(app)
            try:
                for name, path in pages.items():
                    _time_requests(port, path, 3, headers)  # warm-up
                    timings = _time_requests(port, path, requests, headers)
                    figures.append(_figure(name, timings))
                full = []
                for _ in range(requests):
                    started = time.perf_counter()
                    month_air(
                        db.session(),
                        SYSTEM,
                        seeded["rooms"],
                        last,
                        timezone=ZONE,
                        now=now,
                        detail=False,
                    )
                    full.append((time.perf_counter() - started) * 1000)
                    db.session.remove()
                figures.append(_figure("medals of 50 rooms, last month, rollup", full))
            finally:
                server.shutdown()
                db.session.remove()
                db.engine.dispose()
    report["dashboard"] = {
        "what": "dashboard pages over HTTP (werkzeug, loopback, one client) for one "
        f"organization with {ROOMS} rooms, one node each, "
        f"{int(step.total_seconds() // 60)}-minute samples since the first of the "
        f"month {months} before this one",
        "samples_stored": seeded["stored"],
        "day_of_month": now.astimezone(ZoneInfo(ZONE)).day,
        "requests_per_page": requests,
        "figures": figures,
        "measured_at": now.isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    result: dict[str, Any] = {}
    run(result, quick="--quick" in sys.argv)
    print(json.dumps(result, indent=2))
