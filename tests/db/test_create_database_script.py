"""scripts/db/create-database.sh closes postgres and template1 to roles that do not need them.

The script runs as root against a private server (:class:`TempCluster`, whose
superuser stands in for ``postgres`` through ``PGUSER``), never the shared one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import psycopg
from psycopg import sql

from tests.support.pgcluster import SUPERUSER, TempCluster

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("runuser") is None,
        reason="the script runs psql as the postgres user (root and runuser)",
    ),
]

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "db" / "create-database.sh"
APP, OUTSIDER, PASSWORD = "airq_app", "airq_outsider", "pw"


@pytest.fixture(scope="module")
def cluster() -> Iterator[TempCluster]:
    """A private server set up by the script, with a login role that is not the app's."""
    with TempCluster() as cluster:
        env = {
            **os.environ,
            "PGHOST": str(cluster.root),  # the private server's socket folder
            "PGPORT": str(cluster.port),
            "PGUSER": SUPERUSER,
            "DB_USER": APP,
            "DB_PASSWORD": PASSWORD,
            "DB_NAME": "airq",
        }
        done = subprocess.run(
            [str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        with _connect(cluster, SUPERUSER, "postgres") as admin:
            admin.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(OUTSIDER), sql.Literal(PASSWORD)
                )
            )
        yield cluster


def _connect(cluster: TempCluster, user: str, dbname: str) -> psycopg.Connection:
    return psycopg.connect(
        host="127.0.0.1",
        port=cluster.port,
        user=user,
        password=PASSWORD,
        dbname=dbname,
        autocommit=True,
    )


@pytest.mark.parametrize("dbname", ["postgres", "template1"])
def test_other_roles_cannot_connect_to_the_maintenance_databases(
    cluster: TempCluster, dbname: str
) -> None:
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        _connect(cluster, OUTSIDER, dbname).close()


@pytest.mark.parametrize("dbname", ["postgres", "airq"])
def test_the_app_role_still_connects_where_it_works(
    cluster: TempCluster, dbname: str
) -> None:
    with _connect(cluster, APP, dbname) as conn:
        assert conn.execute("SELECT current_user").fetchone() == (APP,)
