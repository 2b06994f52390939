"""Benchmark: the fidelity check over many nodes (``python -m tests.bench.fidelity``).

Builds a throwaway database with ``--nodes`` nodes (a quarter alive, missing, dead
and silent) and ``--history`` older samples per talking node spread over four
weeks (several chunks), then times ``check_all`` cold and warm. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import UTC, datetime
from typing import Any

import flask_migrate

from sqlalchemy import text

from app import create_app
from app.db import transaction
from app.services.access import SYSTEM
from app.services.fidelity.liveness import check_all
from tests.support.database import throwaway_database

_NODES = """
INSERT INTO organizations (name) VALUES ('bench');
INSERT INTO protocols (identifier) VALUES ('BENCH');
INSERT INTO node_models (name, trade_name, manufacturer, sensor_type)
VALUES ('BENCH', 'Bench', 'Bench', 'NDIR');
INSERT INTO nodes (id, eui64, alias, protocol_id, model_id, owner_id)
SELECT gen_random_uuid(), lpad(upper(to_hex(i)), 16, '0'), 'bench ' || i,
       (SELECT id FROM protocols), (SELECT id FROM node_models),
       (SELECT id FROM organizations)
FROM generate_series(1, :nodes) AS i;
"""

# Newest sample by quarter: 10 min, 3 h, 5 h ago, none; plus history every
# 28 days / :history before that.
_SAMPLES = """
INSERT INTO samples (time, node_id, co2_ppm)
SELECT :now - newest - k * (interval '28 days' / :history), n.id, 500
FROM (SELECT id, row_number() OVER () AS i FROM nodes) AS n
CROSS JOIN LATERAL (SELECT CASE n.i % 4 WHEN 0 THEN interval '10 minutes'
                                         WHEN 1 THEN interval '3 hours'
                                         WHEN 2 THEN interval '5 hours' END) AS a(newest)
CROSS JOIN generate_series(0, :history) AS k
WHERE n.i % 4 <> 3
"""


def run(nodes: int, history: int) -> dict[str, Any]:
    """Build the data set, time the check, return the measurements."""
    os.environ.setdefault("SECRET_KEY", "bench")
    now = datetime.now(UTC).replace(microsecond=0)
    report: dict[str, Any] = {"nodes": nodes, "history_per_node": history}
    with throwaway_database("co2_bench") as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
        with app.app_context():
            flask_migrate.upgrade()
            started = time.monotonic()
            with transaction() as session:
                for statement in _NODES.strip().split(";\n"):
                    session.execute(text(statement), {"nodes": nodes})
                session.execute(text(_SAMPLES), {"now": now, "history": history})
            with transaction() as session:
                session.execute(text("ANALYZE"))
                report["samples"] = session.scalar(text("SELECT count(*) FROM samples"))
                report["chunks"] = session.scalar(
                    text("SELECT count(*) FROM show_chunks('samples')")
                )
            report["load_s"] = round(time.monotonic() - started, 2)
            for label in ("first_run_s", "second_run_s"):
                started = time.monotonic()
                with transaction() as session:
                    result = check_all(session, SYSTEM, now=now)
                report[label] = round(time.monotonic() - started, 3)
            report["verdicts"] = {
                "alive": result.alive,
                "missing": result.missing,
                "dead": result.dead,
                "unknown": result.unknown,
            }
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
    return report


def main() -> None:
    """Parse the arguments, run, print the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--history", type=int, default=8)
    args = parser.parse_args()
    print(json.dumps(run(args.nodes, args.history), indent=2))


if __name__ == "__main__":
    main()
