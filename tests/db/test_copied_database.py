"""The benchmarks' kept copies of a database (``tests.support.database``)."""

from __future__ import annotations

import time

import psycopg

from tests.bench.harness import libpq
from tests.support.database import copied_database, server_url, throwaway_database


def _sessions() -> dict[str, list[str]]:
    """Database name -> the application names of the sessions connected to it."""
    out: dict[str, list[str]] = {}
    with psycopg.connect(libpq(server_url())) as conn:
        for name, *_ in conn.execute("SELECT datname FROM pg_database"):
            out[name] = []
        for name, application in conn.execute(
            "SELECT datname, application_name FROM pg_stat_activity"
            " WHERE datname IS NOT NULL"
        ):
            out.setdefault(name, []).append(application)
    return out


def _wait_for_scheduler(name: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if any("Scheduler" in a for a in _sessions().get(name, [])):
            return
        time.sleep(0.1)
    raise AssertionError(f"no TimescaleDB scheduler connected to {name}")


def test_a_copy_holds_the_rows_of_its_template_and_is_dropped_afterwards() -> None:
    with throwaway_database("co2_test_copy") as url:
        name = libpq(url).rsplit("/", 1)[1]
        with psycopg.connect(libpq(url), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
            conn.execute("CREATE TABLE kept (n int)")
            conn.execute("INSERT INTO kept VALUES (1), (2)")
        # TimescaleDB's scheduler stays connected to the template, and is started
        # again for each copy: every copy must succeed all the same.
        _wait_for_scheduler(name)
        copies = []
        for _ in range(3):
            with copied_database(url, "co2_test_copy") as copy:
                with psycopg.connect(libpq(copy), autocommit=True) as conn:
                    assert conn.execute("SELECT sum(n) FROM kept").fetchone() == (3,)
                    conn.execute("INSERT INTO kept VALUES (4)")
                copies.append(libpq(copy).rsplit("/", 1)[1])
                assert copies[-1] in _sessions()
        left = _sessions()
        assert not set(copies) & set(left)
        with psycopg.connect(libpq(url)) as conn:
            assert conn.execute("SELECT sum(n) FROM kept").fetchone() == (3,)
            assert conn.execute(
                "SELECT datistemplate FROM pg_database WHERE datname = %s", (name,)
            ).fetchone() == (False,)
