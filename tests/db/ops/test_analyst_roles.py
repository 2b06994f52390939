"""Analyst roles connect with their own password and see only what they may.

The roles and the data must be committed for another connection to see them, so
this module migrates a database of its own; the roles (cluster-wide) get unique
names and are dropped at the end.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import flask_migrate
import pytest

import psycopg
from psycopg import errors, sql
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.db import transaction
from app.extensions import db
from app.services.access import SYSTEM
from app.services.ops.analysts import (
    DEFAULT_CONNECTION_LIMIT,
    DEFAULT_STATEMENT_TIMEOUT_S,
    IDLE_IN_TRANSACTION_TIMEOUT_S,
    NewAnalystRole,
    create_analyst_role,
    drop_analyst_role,
    list_analyst_roles,
)
from tests.support.airquality import room_world
from tests.support.copy_series import insert_series
from tests.support.database import (
    _libpq,
    migrated_database,
    server_url,
    throwaway_database,
)

SAMPLES = 6  # per installation


@dataclass
class Analysts:
    """The committed world: two organizations, each with a public and a private room."""

    url: str
    org: dict[str, int] = field(default_factory=dict)
    installation: dict[str, int] = field(default_factory=dict)
    roles: dict[str, tuple[str, str]] = field(default_factory=dict)

    def connect(self, who: str, dbname: str | None = None) -> psycopg.Connection[Any]:
        """Log in as analyst role ``who`` with its password, on loopback.

        To the analysts' database, or to ``dbname`` of the same server.
        """
        name, password = self.roles[who]
        url = make_url(self.url)
        return psycopg.connect(
            host="127.0.0.1",
            port=url.port or 5432,
            dbname=dbname or url.database,
            user=name,
            password=password,
            autocommit=True,
        )


def _build(analysts: Analysts) -> None:
    """Organizations a and b, each with a public and a private installation."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    stop = start.replace(minute=5 * (SAMPLES - 1))
    with transaction() as session:
        for org in ("a", "b"):
            world = room_world(session, from_time=start, is_public=True)
            private = world.add_node(session, from_time=start, is_public=False)
            insert_series(session, world.node.id, start, stop)
            insert_series(session, private.id, start, stop)
            analysts.org[org] = world.organization.id
            analysts.installation[f"{org}_public"] = world.installation.id
            analysts.installation[f"{org}_private"] = session.execute(
                text("SELECT id FROM installations WHERE node_id = :n"),
                {"n": private.id},
            ).scalar_one()


def _role(analysts: Analysts, who: str, **scope: Any) -> None:
    name = f"airq_t{os.getpid()}_{secrets.token_hex(3)}_{who}"
    password = secrets.token_urlsafe(12)
    with transaction() as session:
        create_analyst_role(
            session, SYSTEM, NewAnalystRole(name=name, password=password, **scope)
        )
    analysts.roles[who] = (name, password)


@pytest.fixture(scope="module")
def analysts() -> Iterator[Analysts]:
    """A migrated database with committed data and three analyst roles."""
    names: list[str] = []
    try:
        with throwaway_database("co2_analysts") as url:
            app = create_app(
                {
                    "TESTING": True,
                    "SQLALCHEMY_DATABASE_URI": url,
                    "LOG_LEVEL": "WARNING",
                }
            )
            world = Analysts(url)
            with app.app_context():
                flask_migrate.upgrade()
                try:
                    _build(world)
                    _role(world, "a", organization_ids=(world.org["a"],))
                    _role(world, "public", public_data=True, timezone="UTC")
                    _role(
                        world, "ab", organization_ids=(world.org["a"], world.org["b"])
                    )
                    names.extend(name for name, _pw in world.roles.values())
                    yield world
                finally:
                    with transaction() as session:
                        for name, _password in world.roles.values():
                            drop_analyst_role(session, SYSTEM, name)
                    db.session.remove()
                    db.engine.dispose()
    finally:
        _drop_leftover_roles(names)


def _drop_leftover_roles(names: list[str]) -> None:
    """Drop roles a failed teardown left behind (their database is gone by now)."""
    admin = make_url(server_url()).set(drivername="postgresql", database="postgres")
    with psycopg.connect(
        admin.render_as_string(hide_password=False), autocommit=True
    ) as conn:
        for name in names:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def _scalars(conn: psycopg.Connection[Any], query: str) -> set[Any]:
    return {row[0] for row in conn.execute(query).fetchall()}


def test_analyst_sees_every_installation_of_its_organization(
    analysts: Analysts,
) -> None:
    with analysts.connect("a") as conn:
        seen = _scalars(
            conn, "SELECT installation_id FROM analytics.installation_samples"
        )

    assert seen == {
        analysts.installation["a_public"],
        analysts.installation["a_private"],
    }


def test_analyst_does_not_see_other_organizations(analysts: Analysts) -> None:
    with analysts.connect("a") as conn:
        orgs = _scalars(
            conn, "SELECT organization_id FROM analytics.installation_samples"
        )

    assert orgs == {analysts.org["a"]}


def test_analyst_with_two_organizations_sees_both(analysts: Analysts) -> None:
    with analysts.connect("ab") as conn:
        orgs = _scalars(
            conn, "SELECT organization_id FROM analytics.installation_samples"
        )

    assert orgs == {analysts.org["a"], analysts.org["b"]}


@pytest.mark.parametrize(
    "view", ["installation_hourly", "installation_daily", "room_daily"]
)
def test_analyst_aggregate_views_are_filtered_too(
    analysts: Analysts, view: str
) -> None:
    with analysts.connect("a") as conn:
        orgs = _scalars(conn, f"SELECT organization_id FROM analytics.{view}")  # noqa: S608

    assert orgs == {analysts.org["a"]}


def test_public_analyst_sees_public_installations_only(analysts: Analysts) -> None:
    with analysts.connect("public") as conn:
        seen = _scalars(
            conn, "SELECT installation_id FROM analytics.installation_samples"
        )

    assert seen == {
        analysts.installation["a_public"],
        analysts.installation["b_public"],
    }


def test_public_analyst_gets_whole_samples_of_public_installations(
    analysts: Analysts,
) -> None:
    with analysts.connect("public") as conn:
        count = conn.execute(
            "SELECT count(*) FROM analytics.installation_samples"
        ).fetchone()

    assert count == (2 * SAMPLES,)


@pytest.mark.parametrize(
    "relation",
    [
        "public.samples",
        "public.installations",
        "public.organizations",
        "public.users",
        "public.api_tokens",
        "public.analyst_roles",
        "public.analyst_role_organizations",
    ],
)
def test_analyst_cannot_read_base_tables(analysts: Analysts, relation: str) -> None:
    with analysts.connect("a") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(sql.SQL("SELECT * FROM {} LIMIT 1").format(sql.SQL(relation)))


def test_analyst_cannot_read_hypertable_chunks(analysts: Analysts) -> None:
    with analysts.connect("a") as conn:
        chunk = conn.execute(
            "SELECT format('%I.%I', chunk_schema, chunk_name) "
            "FROM timescaledb_information.chunks WHERE hypertable_name = 'samples' LIMIT 1"
        ).fetchone()
        if chunk is None:  # the catalog view hides chunks it cannot read
            chunk = ("_timescaledb_internal._hyper_1_1_chunk",)

        with pytest.raises((errors.InsufficientPrivilege, errors.UndefinedTable)):
            conn.execute(sql.SQL("SELECT * FROM {} LIMIT 1").format(sql.SQL(chunk[0])))


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE analytics.mine (x int)",
        "CREATE VIEW public.mine AS SELECT 1 AS x",
        "SET ROLE co2",
    ],
)
def test_analyst_cannot_create_objects_or_change_role(
    analysts: Analysts, statement: str
) -> None:
    with analysts.connect("a") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(statement)


def test_analyst_cannot_become_another_analyst(analysts: Analysts) -> None:
    other = sql.Identifier(analysts.roles["public"][0])

    with analysts.connect("a") as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(sql.SQL("SET ROLE {}").format(other))


def test_analyst_functions_see_only_visible_rows(analysts: Analysts) -> None:
    # A cheap function in WHERE would run before the filter without the barrier.
    notices: list[str] = []
    with analysts.connect("a") as conn:
        conn.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
        conn.execute(
            "CREATE FUNCTION pg_temp.peek(org bigint) RETURNS boolean "
            "LANGUAGE plpgsql COST 0.0000001 AS "
            "$$ BEGIN RAISE NOTICE 'org %', org; RETURN true; END $$"
        )
        conn.execute(
            "SELECT * FROM analytics.installation_samples WHERE pg_temp.peek(organization_id)"
        ).fetchall()

    assert notices
    assert set(notices) == {f"org {analysts.org['a']}"}


#: Queries whose conditions are leakproof, so PostgreSQL may evaluate them before a
#: view's filter: on the measured values, the time, and the names.
PROBES = (
    "SELECT count(*) FROM analytics.installation_samples WHERE co2_ppm > 1000",
    "SELECT count(*) FROM analytics.installation_samples"
    " WHERE time = '2024-01-01 00:10+00' AND co2_ppm > 1000",
    "SELECT count(*) FROM analytics.installation_samples WHERE room_name = 'probe'",
    "SELECT count(*) FROM analytics.installation_samples WHERE site_name = 'probe'",
    "SELECT count(*) FROM analytics.installation_samples"
    " WHERE organization_name = 'probe'",
    "SELECT count(*) FROM analytics.installation_hourly WHERE co2_max_ppm > 1000",
    "SELECT count(*) FROM analytics.room_daily WHERE co2_max_ppm > 1000",
)
#: What a plan node counts; buffers and heap fetches follow the pages, not the rows.
COUNTS = (
    "Actual Rows",
    "Actual Loops",
    "Rows Removed by Filter",
    "Rows Removed by Join Filter",
    "Rows Removed by Index Recheck",
)


def _plan_counts(conn: psycopg.Connection[Any], query: str) -> list[tuple[Any, ...]]:
    """Every count ``EXPLAIN ANALYZE`` shows for ``query``, node by node."""
    row = conn.execute(
        "EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF, SUMMARY OFF) " + query
    ).fetchone()
    assert row is not None
    (plan,) = row[0]
    counts: list[tuple[Any, ...]] = []
    nodes = [plan["Plan"]]
    while nodes:
        node = nodes.pop()
        counts.append(
            (
                node["Node Type"],
                node.get("Relation Name"),
                *(node.get(key) for key in COUNTS),
            )
        )
        nodes.extend(node.get("Plans", []))
    return counts


def _hold_statistics(analysts: Analysts) -> None:
    """No autovacuum analyzes the tables the probes change: the plans stay the same.

    (Planner statistics are visible to analysts anyway; the counts are the point.)
    """
    with psycopg.connect(_libpq(analysts.url), autocommit=True) as conn:
        tables = [
            str(chunk)
            for (chunk,) in conn.execute("SELECT show_chunks('samples')").fetchall()
        ] + ["samples", "rooms", "sites", "organizations"]
        for table in tables:
            conn.execute(
                sql.SQL("ALTER TABLE {} SET (autovacuum_enabled = false)").format(
                    sql.SQL(table)
                )
            )


def _disguise_organization_b(analysts: Analysts, co2_ppm: int, name: str) -> None:
    """Give organization b's samples and names other values (their number stays).

    Not analyzed: the statistics, and so the plan, stay as they were.
    """
    org = analysts.org["b"]
    with psycopg.connect(_libpq(analysts.url), autocommit=True) as conn:
        conn.execute(
            "UPDATE samples SET co2_ppm = %s WHERE node_id IN (SELECT i.node_id"
            " FROM installations AS i JOIN rooms AS r ON r.id = i.room_id"
            " JOIN sites AS s ON s.id = r.site_id WHERE s.operator_id = %s)",
            (co2_ppm, org),
        )
        conn.execute(
            "UPDATE rooms SET name = %s WHERE site_id IN"
            " (SELECT id FROM sites WHERE operator_id = %s)",
            (name, org),
        )
        conn.execute("UPDATE sites SET name = %s WHERE operator_id = %s", (name, org))
        conn.execute("UPDATE organizations SET name = %s WHERE id = %s", (name, org))


#: Plans an analyst may ask for: the default one, and index scans wherever possible
#: (a condition on an indexed column then fetches only the matching rows). The
#: aggregate views' conditions stay above the grouping, so their default plans do.
PLANNERS = {"default": (), "index-scans": ("SET enable_seqscan = off",)}
CASES = [(query, "default") for query in PROBES] + [
    (query, "index-scans") for query in PROBES if "installation_samples" in query
]


@pytest.mark.parametrize(("query", "planner"), CASES, ids=lambda v: str(v)[-30:])
def test_explain_analyze_counts_no_reading_or_name_of_another_organization(
    analysts: Analysts, query: str, planner: str
) -> None:
    """The counts of a plan once told how many of b's samples matched a condition."""
    _hold_statistics(analysts)
    with analysts.connect("a") as conn:
        for setting in PLANNERS[planner]:
            conn.execute(setting)
        before = _plan_counts(conn, query)
        try:
            _disguise_organization_b(analysts, 1500, "probe")
            after = _plan_counts(conn, query)
        finally:
            _disguise_organization_b(analysts, 500, "b")

    assert after == before


def test_analyst_days_are_in_the_roles_time_zone(analysts: Analysts) -> None:
    with analysts.connect("public") as conn:
        starts = _scalars(conn, "SELECT day_start FROM analytics.installation_daily")

    assert starts == {datetime(2024, 1, 1, tzinfo=UTC)}


def _database(url: str) -> str:
    return str(make_url(url).database)


def test_analyst_connects_to_its_database_but_not_to_another_deployments(
    analysts: Analysts,
) -> None:
    with migrated_database("co2_other") as other:  # another airq on the same server
        with analysts.connect("a") as conn:
            own = conn.execute("SELECT current_database()").fetchone()
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            analysts.connect("a", dbname=_database(other)).close()

    assert own == (_database(analysts.url),)


def _other_databases(who: str, analysts: Analysts) -> tuple[str, ...]:
    name = analysts.roles[who][0]
    with transaction() as session:
        roles = list_analyst_roles(session, SYSTEM)
    return next(role.other_databases for role in roles if role.name == name)


def test_analyst_roles_name_the_other_databases_open_to_them(
    analysts: Analysts,
) -> None:
    with throwaway_database("co2_open") as url:  # CONNECT granted to PUBLIC, as made
        name = _database(url)
        open_before = _other_databases("a", analysts)
        admin = make_url(url).set(drivername="postgresql")
        with psycopg.connect(
            admin.render_as_string(hide_password=False), autocommit=True
        ) as owner:
            owner.execute(
                sql.SQL("REVOKE CONNECT ON DATABASE {} FROM PUBLIC").format(
                    sql.Identifier(name)
                )
            )
        open_after = _other_databases("a", analysts)
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            analysts.connect("a", dbname=name).close()

    assert name in open_before
    assert name not in open_after
    assert _database(analysts.url) not in open_before  # its own is not "other"


@pytest.mark.parametrize("view", ["installation_daily", "room_daily"])
def test_analyst_days_follow_the_session_then_the_role_then_berlin(
    analysts: Analysts, view: str
) -> None:
    # The samples start at 2024-01-01 00:00 UTC: 01:00 in Berlin, 09:00 in Tokyo.
    first_day = f"SELECT min(day_start) FROM analytics.{view}"  # noqa: S608
    with analysts.connect("public") as conn:  # the role's time zone: UTC
        role_zone = conn.execute(first_day).fetchone()
        conn.execute("SET airq.analysis_timezone = 'Asia/Tokyo'")
        session_zone = conn.execute(first_day).fetchone()
    with analysts.connect("a") as conn:  # the default time zone
        default_zone = conn.execute(first_day).fetchone()

    assert role_zone == (datetime(2024, 1, 1, tzinfo=UTC),)
    assert session_zone == (datetime(2023, 12, 31, 15, tzinfo=UTC),)
    assert default_zone == (datetime(2023, 12, 31, 23, tzinfo=UTC),)


def _drop(name: str) -> None:
    with transaction() as session:
        drop_analyst_role(session, SYSTEM, name)


def _role_exists(name: str) -> bool:
    with transaction() as session:
        found = session.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}
        ).first()
    return found is not None


def test_drop_role_ends_open_sessions_that_hold_temporary_tables(
    analysts: Analysts,
) -> None:
    # A temporary table belongs to the role: while its session lived, DROP ROLE
    # failed, so an analyst who stayed connected could not be removed.
    _role(analysts, "connected", public_data=True)
    name = analysts.roles["connected"][0]
    try:
        with analysts.connect("connected") as conn:
            conn.execute("CREATE TEMPORARY TABLE keep AS SELECT 1 AS x")

            _drop(name)

            with pytest.raises(psycopg.OperationalError):
                conn.execute("SELECT count(*) FROM analytics.installation_samples")
    finally:
        del analysts.roles["connected"]
        _drop_leftover_roles([name])

    assert not _role_exists(name)


def test_drop_role_drops_the_roles_large_objects(analysts: Analysts) -> None:
    # Any role may create large objects; they outlive its sessions and kept
    # DROP ROLE from succeeding.
    _role(analysts, "hoarder", public_data=True)
    name = analysts.roles["hoarder"][0]
    try:
        with analysts.connect("hoarder") as conn:
            oid = conn.execute("SELECT lo_from_bytea(0, 'x'::bytea)").fetchone()

        _drop(name)
    finally:
        del analysts.roles["hoarder"]
        _drop_leftover_roles([name])

    assert not _role_exists(name)
    with transaction() as session:
        left = session.execute(
            text("SELECT 1 FROM pg_largeobject_metadata WHERE oid = :oid"),
            {"oid": oid[0] if oid else None},
        ).first()
    assert left is None


def test_analyst_role_holds_a_bounded_number_of_sessions(analysts: Analysts) -> None:
    # Without a limit one analyst could take every connection of the server.
    opened = [analysts.connect("a") for _ in range(DEFAULT_CONNECTION_LIMIT)]
    try:
        with pytest.raises(psycopg.OperationalError, match="too many connections"):
            analysts.connect("a").close()
    finally:
        for conn in opened:
            conn.close()


def test_analyst_sessions_start_with_timeouts(analysts: Analysts) -> None:
    with analysts.connect("a") as conn:
        statement = conn.execute("SHOW statement_timeout").fetchone()
        idle = conn.execute("SHOW idle_in_transaction_session_timeout").fetchone()

    assert statement == (f"{DEFAULT_STATEMENT_TIMEOUT_S // 60}min",)
    assert idle == (f"{IDLE_IN_TRANSACTION_TIMEOUT_S // 60}min",)
