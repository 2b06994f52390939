"""Benchmark: a month of room air quality over HTTP, with 5-minute samples.

``run(report, quick)`` migrates a throwaway database, stores a month (January
2024, Berlin) of 5-minute samples for one room (plus other nodes' samples as
background unless ``quick``), serves the app on a loopback port and times
``GET /api/v1/rooms/<id>/airquality/2024-01?include_histogram=true``. The
target is a median of at most 100 ms. Run alone with
``python -m tests.bench.bench_airquality [--quick]``.
"""

from __future__ import annotations

import http.client
import json
import logging
import math
import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import flask_migrate

from flask import Flask
from werkzeug.serving import make_server

from sqlalchemy import text

from app import create_app
from app.db import transaction
from app.extensions import db
from tests.factories import (
    make_installation,
    make_node,
    make_organization,
    make_room,
    make_site,
)
from tests.support.copy_series import insert_series
from tests.support.database import throwaway_database

TARGET_MS = 100.0
BERLIN = ZoneInfo("Europe/Berlin")
MONTH_START = datetime(2024, 1, 1, tzinfo=BERLIN)
MONTH_END = datetime(2024, 2, 1, tzinfo=BERLIN)


def _co2(moment: datetime) -> int:
    """An office day: low at night, a rise to ~1400 ppm at noon on weekdays."""
    local = moment.astimezone(BERLIN)
    hour = local.hour + local.minute / 60
    busy = local.weekday() < 5 and 8 <= hour < 18
    return int(450 + (950 * math.sin(math.pi * (hour - 8) / 10) if busy else 0))


def _seed(background_nodes: int) -> tuple[int, int]:
    """Store the room's month; return its id and the number of samples stored."""
    margin = timedelta(hours=1)
    with transaction() as session:
        org = make_organization(session)
        room = make_room(session, site=make_site(session, operator=org))
        node = make_node(session, owner=org)
        make_installation(
            session,
            node=node,
            room=room,
            from_time=MONTH_START - margin,
            is_public=True,
        )
        stored = insert_series(
            session, node.id, MONTH_START - margin, MONTH_END + margin, co2_ppm=_co2
        )
        for _ in range(background_nodes):
            other = make_node(session, owner=org)
            stored += insert_series(
                session,
                other.id,
                MONTH_START - margin,
                MONTH_END + margin,
                co2_ppm=_co2,
            )
        room_id = room.id
    with db.engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    return room_id, stored


def _serve(app: Flask) -> tuple[Any, int]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_port


def _time_requests(
    port: int, path: str, count: int, headers: dict[str, str] | None = None
) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    timings = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            conn.request("GET", path, headers=headers or {})
            response = conn.getresponse()
            body = response.read()
            timings.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise RuntimeError(f"{path}: HTTP {response.status}: {body[:200]!r}")
    finally:
        conn.close()
    return timings


def run(report: dict[str, Any], quick: bool) -> None:
    """Time the month endpoint over HTTP and add the figures to ``report``.

    Args:
        report: the benchmark report; this adds ``report["airquality"]``.
        quick: one room only and fewer requests (a smoke run).
    """
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    requests = 20 if quick else 100
    with throwaway_database("co2_bench_airq") as url:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING", "TESTING": True}
        )
        with app.app_context():
            flask_migrate.upgrade()
            room_id, stored = _seed(background_nodes=0 if quick else 20)
            server, port = _serve(app)
            try:
                path = (
                    f"/api/v1/rooms/{room_id}/airquality/2024-01?include_histogram=true"
                )
                _time_requests(port, path, 5)  # warm-up: imports, plans, pools
                month = _time_requests(port, path, requests)
                days = _time_requests(port, path + "&include_days=true", requests // 2)
            finally:
                server.shutdown()
                db.session.remove()
                db.engine.dispose()
    median = statistics.median(month)
    report["airquality"] = {
        "what": "GET /rooms/<id>/airquality/2024-01?include_histogram=true over HTTP, "
        "one room, 5-minute samples",
        "samples_stored": stored,
        "requests": len(month),
        "median_ms": round(median, 1),
        "p95_ms": round(statistics.quantiles(month, n=20)[-1], 1),
        "min_ms": round(min(month), 1),
        "with_days_median_ms": round(statistics.median(days), 1),
        "target_median_ms": TARGET_MS,
        "meets_target": median <= TARGET_MS,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    result: dict[str, Any] = {}
    run(result, quick="--quick" in sys.argv)
    print(json.dumps(result, indent=2))
