"""``flask import managair --from-db``: a live Managair database moved over.

The source is a real Managair-shaped database (``tests/support/managair_schema.sql``)
with a generated world of 100 nodes and 1,000,000 samples; the target a migrated
throwaway database. The big import runs once per module; the delta, remapping and
dry-run tests use a small world of their own.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient

import psycopg
from sqlalchemy.orm import Session

from app.services.importer import import_records
from app.services.importer.samples import copy_chunk, node_ids, plan
from app.services.importer.source import read_records, snapshot
from tests.support.accounts import api_login
from tests.support.apps import app_builder
from tests.support.database import _libpq, migrated_database
from tests.support.managair_source import (
    ENDED,
    PEOPLE,
    PHOTO,
    START_S,
    STEP_S,
    add_samples,
    managair_database,
    node_id,
)

BIG = 10_000  # samples per node: 1,000,000 in all
SMALL = 600  # 50 hours per node: days 0 to 2
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

Run = Callable[..., Result]


def _runner(app: Flask) -> Run:
    def run(*args: str) -> Result:
        with app.app_context():
            return app.test_cli_runner().invoke(args=["import", "managair", *args])

    return run


def _rows(url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(_libpq(url)) as conn:
        return conn.execute(query, params).fetchall()


def _one(url: str, query: str, *params: Any) -> Any:
    return _rows(url, query, *params)[0][0]


_TARGET_SUMMARY = """
SELECT node_id::text, count(*), min(time), max(time), sum(co2_ppm),
       sum(coalesce(temperature_celsius, 0)), sum(coalesce(rel_humidity_percent, 0))
FROM samples GROUP BY 1 ORDER BY 1
"""
_SOURCE_SUMMARY = """
SELECT node_id::text, count(*), to_timestamp(min(timestamp_s)),
       to_timestamp(max(timestamp_s)), sum(co2_ppm),
       sum(coalesce(temperature_celsius, 0)), sum(coalesce(rel_humidity_percent, 0))
FROM core_sample GROUP BY 1 ORDER BY 1
"""


@pytest.fixture(scope="module")
def big_source() -> Iterator[str]:
    """Managair's database with the generated world and 1M samples."""
    with managair_database(BIG) as dsn:
        yield dsn


@pytest.fixture(scope="module")
def imported(big_source: str) -> Iterator[tuple[str, Flask, Result]]:
    """A database the big world was imported into: (URL, app, the run's result)."""
    with migrated_database("co2_from_db") as url, app_builder(url) as build:
        app = build()
        result = _runner(app)("--from-db", big_source)
        yield url, app, result


@pytest.fixture
def small_source() -> Iterator[str]:
    """Managair's database with the generated world and 60,000 samples."""
    with managair_database(SMALL) as dsn:
        yield dsn


@pytest.fixture
def target() -> Iterator[tuple[str, Run]]:
    """An empty migrated database and a runner of the import command on it."""
    with migrated_database("co2_from_db") as url, app_builder(url) as build:
        yield url, _runner(build())


def test_from_db_moves_every_table_and_all_samples(
    imported: tuple[str, Flask, Result], big_source: str
) -> None:
    url, _, result = imported

    assert result.exit_code == 0, result.output
    assert "Everything matches." in result.output
    assert "core.sample: 1000000 -> 1000000 in 100 nodes" in result.output
    assert "core.sample: 1000000/1000000 (100 %)" in result.output  # progress line
    assert _rows(url, _TARGET_SUMMARY) == _rows(big_source, _SOURCE_SUMMARY)
    assert _one(url, "SELECT count(*) FROM users") == len(PEOPLE)
    assert _one(url, "SELECT count(*) FROM nodes") == 100
    assert _one(url, "SELECT count(*) FROM node_fidelity") == 50
    assert _rows(
        url,
        "SELECT publisher, remote_id, installation_id FROM publisher_registrations"
        " ORDER BY installation_id",
    ) == [("stadtpuls", "4003", 3), ("stadtpuls", "4006", 6)]
    assert _one(url, "SELECT image FROM installations WHERE id = 3") == PHOTO
    assert _one(url, "SELECT to_time FROM installations WHERE id = %s", ENDED)
    assert _rows(
        url,
        "SELECT role, email_verified FROM memberships JOIN users ON users.id = user_id"
        " WHERE username = 'mgr-assistant'",
    ) == [("I", True)]  # the removed ASSISTANT role became INSPECTOR


def test_from_db_users_log_in_with_their_managair_passwords(
    imported: tuple[str, Flask, Result],
) -> None:
    _, app, _ = imported
    client = app.test_client()

    answers = [api_login(client, p.password, username=p.username) for p in PEOPLE]
    wrong = api_login(client, "not-the-password", username="mgr-owner")

    assert [a.status_code for a in answers] == [200] * len(PEOPLE)
    assert wrong.status_code == 400


def _headers(client: FlaskClient, person: int) -> dict[str, str]:
    who = PEOPLE[person - 1]
    key = api_login(client, who.password, username=who.username).json
    assert key is not None
    return {"Authorization": f"Token {key['data']['attributes']['key']}"}


def _all(client: FlaskClient, path: str, headers: dict[str, str]) -> list[Any]:
    items: list[Any] = []
    link: str | None = path
    while link:
        answer = client.get(link, headers=headers)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        body = answer.json
        assert body is not None
        items += body["data"]
        link = (body.get("links") or {}).get("next")
    return items


def test_from_db_installation_with_timeseries_answers_the_source_samples(
    imported: tuple[str, Flask, Result], big_source: str
) -> None:
    _, app, _ = imported
    client = app.test_client()
    headers = _headers(client, 2)  # mgr-owner owns organization 2, node 5's

    answer = client.get(
        "/api/v1/installations/5/?include_timeseries=1", headers=headers
    )

    assert answer.status_code == 200, answer.get_data(as_text=True)
    series = answer.json["data"]["attributes"]["timeseries"]  # type: ignore[index]
    expected = _rows(
        big_source,
        "SELECT timestamp_s, co2_ppm FROM core_sample WHERE node_id = %s"
        " ORDER BY timestamp_s",
        node_id(5),
    )
    assert [(s["timestamp_s"], s["co2_ppm"]) for s in series] == expected


def test_from_db_lists_answer_the_source_inventory(
    imported: tuple[str, Flask, Result], big_source: str
) -> None:
    _, app, _ = imported
    client = app.test_client()
    headers = _headers(client, 2)

    nodes = _all(client, "/api/v1/nodes/", headers)
    rooms = _all(client, "/api/v1/rooms/", headers)

    owned = "SELECT {} FROM {} WHERE {} IN (1, 2)"
    assert {n["id"] for n in nodes} == {
        r[0]
        for r in _rows(big_source, owned.format("id::text", "core_node", "owner_id"))
    }
    assert {(r["id"], r["attributes"]["name"]) for r in rooms} == {
        (str(i), name)
        for i, name in _rows(
            big_source,
            "SELECT r.id, r.name FROM core_room r JOIN core_site s ON s.id = r.site_id"
            " WHERE s.operator_id IN (1, 2) OR EXISTS (SELECT FROM"
            " core_roomnodeinstallation i WHERE i.room_id = r.id AND i.is_public)",
        )
    }


def test_from_db_killed_mid_samples_then_resumed_ends_as_uninterrupted(
    imported: tuple[str, Flask, Result],
    big_source: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reference, _, _ = imported
    with migrated_database("co2_from_db") as url, app_builder(url) as build:
        env = dict(
            os.environ,
            DATABASE_URL=url,
            MANAGAIR_DATABASE_URL=big_source,
            SECRET_KEY="test-secret-key-not-for-production",
        )
        child = subprocess.Popen(
            [sys.executable, "-m", "flask", "import", "managair"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while _one(url, "SELECT count(*) FROM samples") == 0:
                assert child.poll() is None, "the import ended before any sample"
                assert time.monotonic() < deadline
                time.sleep(0.05)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        killed_at = _one(url, "SELECT count(*) FROM samples")

        secret = tmp_path / "managair-url"
        secret.write_text(big_source + "\n", encoding="utf-8")
        monkeypatch.setenv("MANAGAIR_DATABASE_URL_FILE", str(secret))
        resumed = _runner(build())()  # the URL from the file the variable names
        after = _rows(url, _TARGET_SUMMARY)
        tables = _rows(url, "SELECT count(*) FROM imported_rows")

    assert 0 < killed_at < 1_000_000
    assert resumed.exit_code == 0, resumed.output
    assert f"copying {1_000_000 - killed_at} samples" in resumed.output
    assert after == _rows(reference, _TARGET_SUMMARY)
    assert tables == _rows(reference, "SELECT count(*) FROM imported_rows")


def test_from_db_delta_copies_only_new_samples_and_changed_rows(
    small_source: str, target: tuple[str, Run]
) -> None:
    url, run = target
    first = run("--from-db", small_source)
    with psycopg.connect(small_source) as conn:
        add_samples(conn, START_S + SMALL * STEP_S, 7)
        conn.execute("UPDATE core_room SET name = 'Aula' WHERE id = 4")

    delta = run("--from-db", small_source)

    assert first.exit_code == 0, first.output
    assert delta.exit_code == 0, delta.output
    assert "core.room: 0 created, 1 changed, 99 unchanged." in delta.output
    assert "core.node: 0 created, 0 changed, 100 unchanged." in delta.output
    # only the day that changed (day 2: 24 samples and 7 new) is read again, whole
    assert "copying 3100 samples in 100 chunks" in delta.output
    assert "core.sample: 3100 samples stored (2400 replaced)" in delta.output, (
        delta.output
    )
    assert "Everything matches." in delta.output
    assert _one(url, "SELECT name FROM rooms WHERE id = 4") == "Aula"
    assert _rows(url, _TARGET_SUMMARY) == _rows(small_source, _SOURCE_SUMMARY)


def test_from_db_delta_deletes_samples_deleted_in_managair_and_takes_edits(
    small_source: str, target: tuple[str, Run]
) -> None:
    url, run = target
    first = run("--from-db", small_source)
    later = START_S + SMALL * STEP_S  # after Managair's last sample: stored here
    with psycopg.connect(_libpq(url)) as conn:
        conn.execute(
            "INSERT INTO samples (node_id, time, co2_ppm) VALUES (%s, to_timestamp(%s), 500)",
            (node_id(9), later),
        )
    with psycopg.connect(small_source) as conn:
        conn.execute(  # every tenth sample of node 3, all of node 4's first day
            "DELETE FROM core_sample WHERE (node_id = %s AND timestamp_s %% 3000 = 0)"
            " OR (node_id = %s AND timestamp_s < %s)",
            (node_id(3), node_id(4), START_S + 86_400),
        )
        conn.execute(  # an edit that keeps the CO2 sum: only the temperature
            "UPDATE core_sample SET temperature_celsius = 30.5"
            " WHERE node_id = %s AND timestamp_s = %s",
            (node_id(5), START_S + 3600),
        )

    delta = run("--from-db", small_source)

    assert first.exit_code == 0, first.output
    assert delta.exit_code == 1, delta.output  # only node 9's own sample differs
    assert "1 differences between Managair and here." in delta.output
    kept = "SELECT count(*) FROM samples WHERE node_id = %s AND time = to_timestamp(%s)"
    assert _one(url, kept, node_id(9), later) == 1
    with psycopg.connect(_libpq(url)) as conn:
        conn.execute(
            "DELETE FROM samples WHERE node_id = %s AND time = to_timestamp(%s)",
            (node_id(9), later),
        )
    assert _rows(url, _TARGET_SUMMARY) == _rows(small_source, _SOURCE_SUMMARY)
    again = run("--from-db", small_source)
    assert "copying 0 samples" in again.output
    assert "Everything matches." in again.output, again.output


def test_from_db_dry_run_writes_nothing(
    small_source: str, target: tuple[str, Run]
) -> None:
    url, run = target
    tables = ("users", "nodes", "samples", "imported_rows", "installations")
    before = [_one(url, f"SELECT count(*) FROM {t}") for t in tables]  # noqa: S608

    result = run("--from-db", small_source, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "core.node: 100 created" in result.output
    assert f"would copy {100 * SMALL} samples of 100 nodes" in result.output
    assert "Dry run: nothing was stored." in result.output
    assert [_one(url, f"SELECT count(*) FROM {t}") for t in tables] == before  # noqa: S608


def test_from_db_mismatch_is_reported_and_exits_non_zero(
    small_source: str, target: tuple[str, Run]
) -> None:
    url, run = target
    first = run("--from-db", small_source)
    # a sample Managair does not have, after its last one: stored here, kept
    with psycopg.connect(_libpq(url)) as conn:
        conn.execute(
            "INSERT INTO samples (node_id, time, co2_ppm) VALUES (%s, to_timestamp(%s), 500)",
            (node_id(7), START_S + SMALL * STEP_S),
        )

    again = run("--from-db", small_source)

    assert first.exit_code == 0, first.output
    assert again.exit_code == 1
    assert f"node {node_id(7)}: NodeSummary(count={SMALL}," in again.output
    assert "MISMATCH" in again.output
    assert "Error: 1 differences between Managair and here." in again.output


def test_from_db_source_password_is_never_printed(target: tuple[str, Run]) -> None:
    _, run = target
    secret = "s3cret-Pa55"

    result = run("--from-db", f"postgresql://co2:{secret}@127.0.0.1:1/nowhere")

    assert result.exit_code == 1
    assert "Nothing imported: cannot connect to" in result.output
    assert "co2:***@127.0.0.1:1/nowhere" in result.output
    assert secret not in result.output


@pytest.fixture
def demo_target() -> Iterator[tuple[str, Run]]:
    """A migrated database holding ``flask demo load``'s data, and the runner."""
    with migrated_database("co2_from_db") as url, app_builder(url) as build:
        app = build()
        with app.app_context():
            assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0
        yield url, _runner(app)


_STATE = (
    "SELECT 'users', count(*) FROM users UNION ALL "
    "SELECT 'organizations', count(*) FROM organizations UNION ALL "
    "SELECT 'rooms', count(*) FROM rooms UNION ALL "
    "SELECT 'installations', count(*) FROM installations UNION ALL "
    "SELECT 'samples', count(*) FROM samples UNION ALL "
    "SELECT 'imported', count(*) FROM imported_rows"
)
_DEMO_PEOPLE = "SELECT id, username, password_hash FROM users ORDER BY id"


def test_from_db_into_demo_data_without_remap_is_refused_before_writing(
    small_source: str, demo_target: tuple[str, Run]
) -> None:
    url, run = demo_target
    before = _rows(url, _STATE)

    result = run("--from-db", small_source)

    assert result.exit_code == 1
    assert "Nothing imported:" in result.output
    assert "auth.user pk 1 (auth_user) would overwrite users id 1" in result.output
    assert _rows(url, _STATE) == before


def test_from_db_into_demo_data_with_remap_ids_keeps_both_worlds(
    small_source: str, demo_target: tuple[str, Run]
) -> None:
    url, run = demo_target
    demo_people = _rows(url, _DEMO_PEOPLE)
    demo_rooms = _rows(url, "SELECT id, name, site_id FROM rooms ORDER BY id")

    result = run("--from-db", small_source, "--remap-ids")
    again = run("--from-db", small_source, "--remap-ids")

    assert result.exit_code == 0, result.output
    assert "Everything matches." in result.output
    assert again.exit_code == 0, again.output
    assert "core.room: 0 created, 0 changed, 100 unchanged." in again.output
    assert "copying 0 samples" in again.output
    demo_ids = {row[0] for row in demo_people}
    assert set(_rows(url, _DEMO_PEOPLE)) >= set(demo_people)  # untouched
    assert set(_rows(url, "SELECT id, name, site_id FROM rooms")) >= set(demo_rooms)
    owner = _one(url, "SELECT id FROM users WHERE username = 'mgr-owner'")
    assert owner not in demo_ids  # moved to a new id
    assert _rows(
        url,
        "SELECT o.name FROM memberships m JOIN organizations o"
        " ON o.id = m.organization_id WHERE m.user_id = %s ORDER BY 1",
        owner,
    ) == [("Managair Org 1",), ("Managair Org 2",)]
    assert (
        _one(
            url,
            "SELECT r.name FROM installations i JOIN rooms r ON r.id = i.room_id"
            " WHERE i.node_id = %s",
            node_id(5),
        )
        == "Room 5"
    )


def test_from_db_remap_ids_refuses_taken_natural_keys_before_writing(
    small_source: str, demo_target: tuple[str, Run]
) -> None:
    url, run = demo_target
    olivia = _one(url, "SELECT id FROM users WHERE username = 'olivia'")
    org, org_name = _rows(url, "SELECT id, name FROM organizations ORDER BY id")[0]
    node, eui = _rows(url, "SELECT id, eui64 FROM nodes ORDER BY eui64")[0]
    with psycopg.connect(small_source) as conn:  # Managair rows with demo keys
        conn.execute("UPDATE auth_user SET username = 'olivia' WHERE id = 5")
        conn.execute("UPDATE auth_user SET email = 'OLIVIA@demo.example' WHERE id = 4")
        conn.execute("UPDATE core_organization SET name = %s WHERE id = 3", (org_name,))
        conn.execute(
            "UPDATE core_node SET eui64 = lower(%s) WHERE id = %s", (eui, node_id(8))
        )
    before = _rows(url, _STATE)

    result = run("--from-db", small_source, "--remap-ids")

    assert result.exit_code == 1
    assert "Nothing imported:" in result.output
    assert "4 usernames, e-mail addresses, organization names or EUIs" in result.output
    assert "rename or delete one of the two" in result.output
    for clash in (
        f"auth.user pk 5 (auth_user): username 'olivia' is taken by users id {olivia}"
        " (username 'olivia')",
        f"auth.user pk 4 (auth_user): email 'OLIVIA@demo.example' is taken by users"
        f" id {olivia} (email 'olivia@demo.example')",
        f"core.organization pk 3 (core_organization): name {org_name!r} is taken by"
        f" organizations id {org} (name {org_name!r})",
        f"core.node pk {node_id(8)} (core_node): eui64 {eui.lower()!r} is taken by"
        f" nodes id {node} (eui64 {eui!r})",
    ):
        assert clash in result.output, result.output
    assert _rows(url, _STATE) == before


def test_from_db_sample_copy_memory_does_not_grow_with_the_chunk(
    session: Session, small_source: str
) -> None:
    with psycopg.connect(small_source) as conn:  # 50,000 more samples of node 2
        conn.execute(
            "INSERT INTO core_sample (timestamp_s, co2_ppm, measurement_status,"
            " node_id) SELECT %s + i * 60, 500 + i %% 700, 'M', %s"
            " FROM generate_series(0, 49999) AS i",
            (START_S + 5 * 86_400, node_id(2)),
        )
    with snapshot(small_source) as conn:
        import_records(session, read_records(conn))
        nodes = node_ids(session)
        chunks = {(c.node, c.first_day): c for c in plan(conn, session, nodes)}
        small_chunk = chunks[(node_id(3), START_S // 86_400)]
        large_chunk = chunks[(node_id(2), START_S // 86_400 + 5)]

        peaks = []
        for chunk in (small_chunk, large_chunk):
            tracemalloc.start()
            try:
                stored = copy_chunk(conn, session, chunk).stored
                peaks.append((tracemalloc.get_traced_memory()[1], stored))
            finally:
                tracemalloc.stop()

    (small_peak, small), (large_peak, large) = peaks
    assert (small, large) == (SMALL, 50_000)
    assert large_peak < small_peak + 256 * 1024  # 83 times the rows (3 MB of text)


def test_from_db_without_managair_tables_says_so(target: tuple[str, Run]) -> None:
    url, run = target

    result = run("--dry-run", "--from-db", url)  # airq's own database

    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines()[-1] == (
        "Error: Nothing imported: not a Managair database (table auth_user missing)."
    )
