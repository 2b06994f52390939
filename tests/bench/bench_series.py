"""Series benchmarks: one year of 5-minute samples for 100 installations (10.5 M rows).

``run(report, quick)`` builds a throwaway database, loads first 10 installations'
worth of samples (the "small" table), refreshes the aggregates and measures; then
loads the other 90 (the "big" table, 10x the rows), refreshes and measures again.
Each figure is the median of several requests through gunicorn on loopback, next to
the same SQL run directly with psycopg (captured from the service and replayed), with
the target and Managair's figure beside it. ``quick`` uses 10x fewer installations.

Run alone: ``python -m tests.bench.bench_series [--quick]`` (prints JSON).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import event

from tests.support.database import _libpq, throwaway_database

ROOT = Path(__file__).resolve().parents[2]
STEP = timedelta(minutes=5)
SAMPLES_PER_YEAR = 365 * 24 * 12
TARGETS_MS = {
    "installation_30d_samples": (40.0, 265.0),
    "series_1h_year": (50.0, None),
    "series_auto_year": (30.0, None),
}


def run(report: dict[str, Any], quick: bool) -> None:
    """Measure the series endpoints; put the figures under ``report["series"]``."""
    installations = 10 if quick else 100
    repeats = 15 if quick else 40
    end = _floor_5min(datetime.now(UTC))
    start = end - timedelta(days=365)
    sizes = {"small": max(1, installations // 10), "big": installations}
    out: dict[str, Any] = {
        "installations": installations,
        "rows_per_installation": SAMPLES_PER_YEAR,
        "repeats": repeats,
    }
    with (
        throwaway_database("co2_bench_small") as small_url,
        throwaway_database("co2_bench_big") as big_url,
    ):
        urls = {"small": small_url, "big": big_url}
        phases: dict[str, Any] = {}
        for label, url in urls.items():
            _migrate(url)
            dsn = _libpq(url)
            ids = _inventory(dsn, sizes[label], start)
            load_s = _load(dsn, ids, start, end)
            refresh_s = _refresh(dsn)
            phases[label] = {
                "installations": sizes[label],
                "rows": _scalar(dsn, "SELECT count(*) FROM samples"),
                "load_s": round(load_s, 1),
                "refresh_s": round(refresh_s, 1),
            }
        with _gunicorn(small_url) as small_base, _gunicorn(big_url) as big_base:
            bases = {"small": small_base, "big": big_base}
            figures = _measure(urls, bases, start, end, repeats)
        for label in phases:
            phases[label]["figures"] = figures[label]
    out["phases"] = phases
    big, little = figures["big"], figures["small"]
    out["scaling"] = {
        name: {
            "big_over_small": round(
                big[name]["median_ms"] / little[name]["median_ms"], 2
            ),
            "db_big_over_small": round(
                big[name]["db_median_ms"] / little[name]["db_median_ms"], 2
            ),
            "target_at_most": 1.5,
        }
        for name in big
    }
    report["series"] = out


# -- set-up ----------------------------------------------------------------------------


def _floor_5min(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0) - timedelta(
        minutes=moment.minute % 5
    )


def _migrate(url: str) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "FLASK_APP": "wsgi:app",
    }
    subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def _scalar(dsn: str, sql: str) -> Any:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(sql).fetchone()
        return row[0] if row else None


def _inventory(dsn: str, count: int, start: datetime) -> list[tuple[int, str]]:
    """An organization with ``count`` nodes, each publicly installed from ``start``."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        org = conn.execute(
            "INSERT INTO organizations (name) VALUES ('Bench') RETURNING id"
        ).fetchone()
        conn.execute("INSERT INTO protocols (identifier) VALUES ('BENCH')")
        conn.execute(
            "INSERT INTO node_models (name, trade_name, manufacturer, sensor_type) "
            "VALUES ('BENCH', 'Bench', 'Bench', 'NDIR')"
        )
        address = conn.execute(
            "INSERT INTO addresses (street1, zip, city) VALUES ('B', '10115', 'Berlin') "
            "RETURNING id"
        ).fetchone()
        assert org is not None
        assert address is not None
        site = conn.execute(
            "INSERT INTO sites (name, address_id, operator_id) VALUES ('S', %s, %s) "
            "RETURNING id",
            (address[0], org[0]),
        ).fetchone()
        assert site is not None
        rows = conn.execute(
            """
            WITH r AS (
                INSERT INTO rooms (name, site_id)
                SELECT 'Room ' || i, %(site)s FROM generate_series(1, %(n)s) i
                RETURNING id, name),
            n AS (
                INSERT INTO nodes (id, eui64, alias, protocol_id, model_id, owner_id)
                SELECT gen_random_uuid(), upper(lpad(to_hex(i), 16, '0')), 'Node ' || i,
                       (SELECT id FROM protocols), (SELECT id FROM node_models), %(org)s
                FROM generate_series(1, %(n)s) i
                RETURNING id, alias)
            INSERT INTO installations (node_id, room_id, from_time, is_public)
            SELECT n.id, r.id, %(start)s, true
            FROM n JOIN r ON substr(n.alias, 6) = substr(r.name, 6)
            RETURNING id, node_id
            """,
            {"site": site[0], "n": count, "org": org[0], "start": start},
        ).fetchall()
    return sorted((int(i), str(node)) for i, node in rows)


def _load(
    dsn: str, ids: list[tuple[int, str]], start: datetime, end: datetime
) -> float:
    """One year of 5-minute samples per node, generated in the server, 2 at a time."""
    sql = """
        INSERT INTO samples (time, node_id, co2_ppm, temperature_celsius,
                             rel_humidity_percent)
        SELECT %(start)s + i * INTERVAL '5 minutes', %(node)s,
               400 + (i * 7919) %% 1600, 18 + (i %% 60) / 10.0, 30 + i %% 40
        FROM generate_series(0, %(n)s - 1) i
    """

    def one(node: str) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SET synchronous_commit = off")
            conn.execute(sql, {"start": start, "node": node, "n": SAMPLES_PER_YEAR})

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(one, [node for _, node in ids]))
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE samples")
    return time.perf_counter() - began


def _refresh(dsn: str) -> float:
    began = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT * FROM series_refresh()")
        conn.execute(
            "VACUUM ANALYZE samples_10m, samples_1h, samples_1d, samples_1d_local"
        )
    return time.perf_counter() - began


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _gunicorn(url: str) -> Iterator[tuple[str, int]]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                if _get(("127.0.0.1", port), "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield ("127.0.0.1", port)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _get(base: tuple[str, int], path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(*base, timeout=60)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


# -- measurements ----------------------------------------------------------------------


def _medians_ms(calls: dict[str, Callable[[], Any]], repeats: int) -> dict[str, float]:
    """Median of each call, timed in turns so that both see the same machine load."""
    for call in calls.values():
        call()
        call()
    times: dict[str, list[float]] = {label: [] for label in calls}
    for _ in range(repeats):
        for label, call in calls.items():
            began = time.perf_counter()
            call()
            times[label].append((time.perf_counter() - began) * 1000)
    return {label: round(statistics.median(t), 2) for label, t in times.items()}


def _paths(
    base: tuple[str, int], pk: int, start: datetime, end: datetime
) -> dict[str, str]:
    frm, to = int(start.timestamp()), int(end.timestamp())
    month = int((end - timedelta(days=30)).timestamp())
    window = f"filter[from]={month}&filter[to]={to}"
    detail = f"/api/v1/installations/{pk}/?include_timeseries=1&{window}"
    if _get(base, detail)[0] != 200:  # the inventory resources are not merged yet
        detail = f"/api/v1/installations/{pk}/timeseries/?{window}"
    series = f"/api/v1/installations/{pk}/series/?filter[from]={frm}&filter[to]={to}"
    return {
        "installation_30d_samples": detail,
        "series_1h_year": series + "&resolution=1h",
        "series_auto_year": series,
    }


def _measure(
    urls: dict[str, str],
    bases: dict[str, tuple[str, int]],
    start: datetime,
    end: datetime,
    repeats: int,
) -> dict[str, dict[str, Any]]:
    """HTTP and direct-SQL medians of installation 1 in every database, in turns."""
    paths = {label: _paths(base, 1, start, end) for label, base in bases.items()}
    figures: dict[str, dict[str, Any]] = {label: {} for label in urls}
    connections = {
        # Never prepared, as the app runs its series reads (sql.fetch_all).
        label: psycopg.connect(_libpq(url), autocommit=True, prepare_threshold=None)
        for label, url in urls.items()
    }
    try:
        for name in paths["big"]:
            bodies = {}
            for label, base in bases.items():
                status, bodies[label] = _get(base, paths[label][name])
                assert status == 200, (paths[label][name], status, bodies[label][:300])
            http = _medians_ms(
                {
                    label: partial(_get, base, paths[label][name])
                    for label, base in bases.items()
                },
                repeats,
            )
            statements = {
                label: _captured_sql(urls[label], paths[label][name]) for label in urls
            }
            db = _medians_ms(
                {
                    label: partial(_replay, connections[label], statements[label])
                    for label in urls
                },
                repeats,
            )
            target, managair = TARGETS_MS[name]
            for label in urls:
                figures[label][name] = {
                    "path": paths[label][name],
                    "bytes": len(bodies[label]),
                    "points": _points(bodies[label]),
                    "median_ms": http[label],
                    "db_median_ms": db[label],
                    "http_over_db": round(http[label] / db[label], 2)
                    if db[label]
                    else None,
                    "target_ms": target,
                    "managair_ms": managair,
                    "meets_target": http[label] <= target,
                }
    finally:
        for conn in connections.values():
            conn.close()
    return figures


def _points(body: bytes) -> int:
    attributes = json.loads(body)["data"]["attributes"]
    if "timestamps_s" in attributes:
        return len(attributes["timestamps_s"])
    return len(attributes.get("samples") or attributes.get("timeseries") or [])


def _captured_sql(url: str, path: str) -> list[tuple[str, Any]]:
    """Every statement the app runs to answer ``path`` (one in-process request).

    Statements go through SQLAlchemy's engine events, except the big reads, which
    ``sql.fetch_all`` runs on the psycopg cursor: they are recorded there.
    """
    os.environ.setdefault("SECRET_KEY", "bench")
    from app import create_app
    from app.extensions import db
    from app.services.series import sql

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    captured: list[tuple[str, Any]] = []
    original = sql.fetch_all

    def recording(
        session: Any, statement: Any, params: dict[str, Any], **options: Any
    ) -> Any:
        compiled = statement.compile(dialect=session.connection().dialect)
        captured.append((compiled.string, compiled.construct_params(params)))
        return original(session, statement, params, **options)

    with app.app_context():

        def keep(
            conn: Any, cursor: Any, statement: str, params: Any, *rest: Any
        ) -> None:
            captured.append((statement, params))

        event.listen(db.engine, "before_cursor_execute", keep)
        sql.fetch_all = recording
        try:
            with app.test_client() as client:
                assert client.get(path).status_code == 200
        finally:
            sql.fetch_all = original
        db.engine.dispose()
    return captured


def _replay(conn: psycopg.Connection[Any], statements: list[tuple[str, Any]]) -> None:
    for statement, params in statements:
        cursor = conn.execute(statement, params)
        if cursor.description is not None:
            cursor.fetchall()


if __name__ == "__main__":
    result: dict[str, Any] = {}
    run(result, quick="--quick" in sys.argv)
    print(json.dumps(result, indent=2, default=str))
