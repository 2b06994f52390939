"""The benchmarks' kept copies of a database (``tests.support.database``)."""

from __future__ import annotations

import psycopg

from tests.bench.harness import libpq
from tests.support.database import copied_database, server_url, throwaway_database


def _names() -> set[str]:
    with psycopg.connect(libpq(server_url())) as conn:
        return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def test_a_copy_holds_the_rows_of_its_template_and_is_dropped_afterwards() -> None:
    with throwaway_database("co2_test_copy") as url:
        with psycopg.connect(libpq(url), autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (n int)")
            conn.execute("INSERT INTO kept VALUES (1), (2)")
        with copied_database(url, "co2_test_copy") as copy:
            with psycopg.connect(libpq(copy), autocommit=True) as conn:
                assert conn.execute("SELECT sum(n) FROM kept").fetchone() == (3,)
                conn.execute("INSERT INTO kept VALUES (4)")
            copy_name = libpq(copy).rsplit("/", 1)[1]
            assert copy_name in _names()
        assert copy_name not in _names()
        with psycopg.connect(libpq(url)) as conn:
            assert conn.execute("SELECT sum(n) FROM kept").fetchone() == (3,)
