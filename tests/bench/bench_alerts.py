"""Alert evaluation benchmark: 10,000 nodes (``quick``: 1,000) with a day of samples.

Builds a throwaway database with one organization, one room and node per
installation, a CO2 rule and a silence rule, and a day of 5-minute samples per
node whose CO2 swings through the threshold (so rooms open and clear alerts).
Then it times, each as one evaluation run in one transaction:

* ``catch_up``: the whole day is fresh (every sample still in the dirty log, no
  room has a state yet): the issue's "one evaluation run for N nodes with a day
  of fresh samples", what a restart after downtime or an import costs;
* ``steady``: one new sample per node, the run of every interval in operation
  (continues each room from its state: its cost follows the new samples);
* ``idle``: nothing new (the silence check alone).

Each phase records its alerts opened and cleared (so runs can be compared) and
the load average when it ended (other work on the machine skews the figures).

Run alone: ``python -m tests.bench.bench_alerts [--quick]`` (prints JSON). The
100,000-node case of the issue takes about ten minutes (28.8 M samples to load),
too long for ``make bench``: ``NODES=100000 python -m tests.bench --only alerts``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.services.access import SYSTEM
from app.services.alerts import evaluate, notify
from tests.bench.bench_series import _floor_5min, _inventory, _migrate
from tests.support.database import _libpq, throwaway_database

STEPS_PER_DAY = 24 * 12
TARGET_S = {10_000: 1.0, 100_000: 10.0}


def run(report: dict[str, Any], quick: bool) -> None:
    """Time evaluation runs; put the figures under ``report["alerts"]``."""
    nodes = int(os.environ.get("NODES", 1_000 if quick else 10_000))
    end = _floor_5min(datetime.now(UTC))
    start = end - timedelta(days=1)
    out: dict[str, Any] = {"nodes": nodes, "samples_per_node": STEPS_PER_DAY}
    with throwaway_database("co2_bench_alerts") as url:
        _migrate(url)
        dsn = _libpq(url)
        _inventory(dsn, nodes, start - timedelta(days=1))
        _rules(dsn)
        out["load_s"] = round(_load(dsn, start, STEPS_PER_DAY), 1)
        engine = create_engine(url)
        try:
            out["catch_up"] = _evaluate(engine, end)
            _load(dsn, end, 1)
            out["steady"] = _evaluate(engine, end + timedelta(minutes=5))
            out["idle"] = _evaluate(engine, end + timedelta(minutes=6))
        finally:
            engine.dispose()
    out["target_s"] = TARGET_S.get(nodes)
    report["alerts"] = out


def _rules(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            """
            INSERT INTO alert_rules (organization_id, name, kind, threshold_ppm,
                                     hysteresis_ppm, duration_s, clear_duration_s,
                                     time_zone)
            SELECT id, 'CO2', 'co2', 1500, 100, 600, 300, 'Europe/Berlin'
            FROM organizations
            UNION ALL
            SELECT id, 'Silent', 'silent', NULL, 0, 7200, 0, 'Europe/Berlin'
            FROM organizations
            """
        )


def _load(dsn: str, start: datetime, steps: int) -> float:
    """``steps`` 5-minute samples per node from ``start``: an 8-hour CO2 swing."""
    began = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute(
            """
            INSERT INTO samples (time, node_id, co2_ppm, temperature_celsius,
                                 rel_humidity_percent)
            SELECT %(start)s + s.i * INTERVAL '5 minutes', i.node_id,
                   1000 + round(700 * sin(2 * pi() * (s.i + i.id %% 96) / 96)),
                   21.0, 45
            FROM installations AS i CROSS JOIN generate_series(0, %(n)s - 1) AS s(i)
            """,
            {"start": start, "n": steps},
        )
        conn.execute("VACUUM ANALYZE samples")
        conn.execute("ANALYZE alert_dirty")
    return time.perf_counter() - began


def _evaluate(engine: Any, now: datetime) -> dict[str, Any]:
    with Session(engine) as session:
        began = time.perf_counter()
        result = evaluate.evaluate(session, SYSTEM, notify.NotifySettings(), now=now)
        session.commit()
        elapsed = time.perf_counter() - began
    load = [round(x, 2) for x in os.getloadavg()]
    return {"seconds": round(elapsed, 3), **vars(result), "load_average": load}


if __name__ == "__main__":
    figures: dict[str, Any] = {}
    run(figures, "--quick" in sys.argv)
    print(json.dumps(figures, indent=2))
