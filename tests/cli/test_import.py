"""``flask import managair``: progress, summary, errors and dry runs."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flask import Flask

from sqlalchemy import column, func, select, table, text
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import ImportedRow, Membership, Sample, User
from app.services.importer.samples import CHUNK_ROWS
from tests.factories import make_organization, make_user
from tests.support.apps import app_builder
from tests.support.database import migrated_database
from tests.support.managair import fixture_file
from tests.support.managair_data import DATA_FILE, INVENTORY_FILE, USERS_FILE

USERS = str(fixture_file(USERS_FILE))
INVENTORY = str(fixture_file(INVENTORY_FILE))
DATA = str(fixture_file(DATA_FILE))


def users_count(session: Session) -> int:
    """Count the stored users."""
    return int(session.scalar(select(func.count(User.id))) or 0)


def test_import_managair_has_help(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["import", "managair", "--help"])

    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert "--dry-run" in result.output
    assert "--from-db URL" in result.output
    assert "MANAGAIR_DATABASE_URL_FILE" in result.output
    assert "--remap-ids" in result.output
    assert f"up to {CHUNK_ROWS:,} samples" in " ".join(result.output.split())


def test_import_managair_reports_progress_per_model(
    app: Flask, session: Session
) -> None:
    result = app.test_cli_runner().invoke(args=["import", "managair", USERS, INVENTORY])

    assert result.exit_code == 0, result.output
    assert "auth.user: 7 created, 0 changed, 0 unchanged." in result.output
    assert "core.node: 9 created" in result.output
    assert "not yet supported" not in result.output.lower()
    assert users_count(session) == 7
    assert session.scalar(select(func.count(Membership.id))) == 9


def test_import_managair_dry_run_stores_nothing(app: Flask, session: Session) -> None:
    result = app.test_cli_runner().invoke(
        args=["import", "managair", "--dry-run", USERS]
    )

    assert result.exit_code == 0, result.output
    assert "auth.user: 7 created" in result.output
    assert "Dry run: nothing was stored." in result.output
    assert users_count(session) == 0


def _sequences(session: Session) -> dict[str, tuple[Any, ...]]:
    """The state of each of the application's sequences (setval is not rolled back)."""
    names = session.scalars(
        text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
    ).all()
    return {
        name: tuple(
            session.execute(
                select(column("last_value"), column("is_called")).select_from(
                    table(name)
                )
            ).one()
        )
        for name in names
    }


@pytest.mark.parametrize("remap", [False, True], ids=["empty", "remap ids"])
def test_import_managair_dry_run_leaves_the_id_sequences(
    app: Flask, session: Session, remap: bool
) -> None:
    if remap:  # ids 1 and 2 are taken here: --remap-ids gives the import new ones
        make_user(session)
        make_user(session)
        make_organization(session)
    before = _sequences(session)
    flags = ["--remap-ids"] if remap else []

    result = app.test_cli_runner().invoke(
        args=["import", "managair", "--dry-run", *flags, USERS, INVENTORY, DATA]
    )

    assert result.exit_code == 0, result.output
    assert "auth.user: 7 created" in result.output
    assert "core.sample: 3855 created, 0 changed, 0 unchanged." in result.output
    assert "Dry run: nothing was stored." in result.output
    assert _sequences(session) == before
    assert session.scalar(select(func.count()).select_from(Sample)) == 0


def test_import_managair_failure_changes_nothing(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(
        json.dumps(
            [
                {
                    "model": "core.membership",
                    "pk": 1,
                    "fields": {"role": "O", "user": 2, "organization": 99},
                }
            ]
        ),
        encoding="utf-8",
    )

    result = app.test_cli_runner().invoke(
        args=["import", "managair", USERS, str(broken)]
    )

    assert result.exit_code == 1
    assert "Nothing imported:" in result.output
    assert "organizations id 99" in result.output
    assert users_count(session) == 0


def _people(session: Session) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Every user (id, username, hash) and membership (user, organization, role)."""
    users = session.execute(select(User.id, User.username, User.password_hash))
    roles = session.execute(
        select(Membership.user_id, Membership.organization_id, Membership.role)
    )
    return {tuple(u) for u in users}, {tuple(m) for m in roles}


def test_import_managair_into_demo_data_is_refused_and_changes_nothing() -> None:
    # As reported: on a fresh database the demo's olivia gets id 2, tomTester's, and
    # importing the users file alone made her tomTester, owner of her organizations.
    with (
        migrated_database("co2_import") as url,
        app_builder(url) as build,
        build().app_context() as context,
    ):
        runner = context.app.test_cli_runner()
        assert runner.invoke(args=["demo", "load"]).exit_code == 0
        before = _people(db.session())
        db.session.remove()

        result = runner.invoke(args=["import", "managair", USERS])

        after = _people(db.session())
        provenance = db.session.scalar(select(func.count(ImportedRow.target_id)))
        db.session.remove()

    assert result.exit_code == 1
    assert "Nothing imported:" in result.output
    assert (
        "auth.user pk 2 (user-fixtures.json) would overwrite users id 2 "
        "(username 'olivia')"
    ) in result.output
    assert after == before
    assert (2, "olivia") in {(pk, name) for pk, name, _ in after[0]}
    assert provenance == 0


def test_import_managair_again_into_its_own_result_changes_nothing(
    app: Flask, session: Session
) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import", "managair", USERS, INVENTORY])

    again = runner.invoke(args=["import", "managair", USERS, INVENTORY])

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    assert "auth.user: 0 created, 0 changed, 7 unchanged." in again.output
    assert "core.membership: 0 created, 0 changed, 9 unchanged." in again.output
    assert users_count(session) == 7


def _with_changed_samples(tmp_path: Path, count: int) -> tuple[Path, list[Any]]:
    """The data file with the CO2 of its first ``count`` samples changed."""
    records = json.loads(Path(DATA).read_text(encoding="utf-8"))
    for record in records[:count]:
        record["fields"]["co2_ppm"] += 1
    changed = tmp_path / "data-changed.json"
    changed.write_text(json.dumps(records), encoding="utf-8")
    return changed, records[:count]


def test_import_managair_again_names_changed_samples_kept_as_stored(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import", "managair", USERS, INVENTORY, DATA])
    changed, records = _with_changed_samples(tmp_path, 7)
    first_time = datetime.fromtimestamp(records[0]["fields"]["timestamp_s"], UTC)
    stored = session.scalar(
        select(Sample.co2_ppm).where(
            Sample.node_id == uuid.UUID(records[0]["fields"]["node"]),
            Sample.time == first_time,
        )
    )

    dry = runner.invoke(
        args=["import", "managair", "--dry-run", USERS, INVENTORY, str(changed)]
    )
    again = runner.invoke(args=["import", "managair", USERS, INVENTORY, str(changed)])

    assert first.exit_code == 0, first.output
    assert again.exit_code == 0, again.output
    counts = (
        "core.sample: 0 created, 0 changed, 3848 unchanged, "
        "7 conflicting (kept as stored)."
    )
    assert counts in again.output
    assert counts in dry.output
    note = "core.sample: 7 samples differ from the stored ones and were kept as stored"
    assert again.output.count(note) == 2  # progress and summary
    assert f"Conflicting: {note}" in again.output
    key = f"node {records[0]['fields']['node']} at {first_time:%Y-%m-%dT%H:%M:%S}Z"
    assert f"{key} (core.sample pk {records[0]['pk']} (data-changed.json))" in (
        again.output
    )
    assert "; and 2 more." in again.output
    assert (
        session.scalar(
            select(Sample.co2_ppm).where(
                Sample.node_id == uuid.UUID(records[0]["fields"]["node"]),
                Sample.time == first_time,
            )
        )
        == stored
        == records[0]["fields"]["co2_ppm"] - 1
    )


def test_import_managair_again_with_the_same_samples_has_no_conflicts(
    app: Flask, session: Session
) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["import", "managair", USERS, INVENTORY, DATA])

    again = runner.invoke(args=["import", "managair", USERS, INVENTORY, DATA])

    assert again.exit_code == 0, again.output
    assert "core.sample: 0 created, 0 changed, 3855 unchanged." in again.output
    assert "onflicting" not in again.output


NODE = "3b95a1b2-74e7-9e98-52c4-4acae441f0ae"
SAMPLE = {"node": NODE, "timestamp_s": 1600400000, "co2_ppm": 500}
INSTALLATION = {
    "node": NODE,
    "room": 1,
    "from_timestamp_s": 1600300800,
    "to_timestamp_s": 2147483647,
}


def _user(pk: int, **fields: Any) -> dict[str, Any]:
    values = {
        "password": "!",
        "username": f"u{pk}",
        "first_name": "",
        "last_name": "",
        "email": f"u{pk}@example.org",
        "is_active": True,
        "is_staff": False,
        "is_superuser": False,
        "date_joined": "2020-10-11T17:30:00Z",
        **fields,
    }
    return {"model": "auth.user", "pk": pk, "fields": values}


def _record(model: str, pk: Any, fields: dict[str, Any]) -> dict[str, Any]:
    return {"model": model, "pk": pk, "fields": fields}


MALFORMED = {
    "sample without node": (
        [_record("core.sample", 1, {k: v for k, v in SAMPLE.items() if k != "node"})],
        r"core\.sample pk 1 \(extra\.json\): field 'node' is missing",
    ),
    "sample node no uuid": (
        [_record("core.sample", 1, {**SAMPLE, "node": "not-a-uuid"})],
        r"core\.sample pk 1 .*field 'node' is no node id",
    ),
    "node pk no uuid": (
        [_record("core.node", "zzz", {"eui64": "0011223344556677", "alias": "x"})],
        r"core\.node pk zzz .*primary key is no UUID",
    ),
    "node without fields": (
        [_record("core.node", "9b95a1b2-74e7-9e98-52c4-4acae441f0ae", {})],
        r"core\.node pk 9b95a1b2-.*field 'eui64' is missing",
    ),
    "sample time text": (
        [_record("core.sample", 1, {**SAMPLE, "timestamp_s": "abc"})],
        r"core\.sample pk 1 .*field 'timestamp_s' must be whole epoch seconds",
    ),
    "sample time overflowing": (
        [_record("core.sample", 1, {**SAMPLE, "timestamp_s": 10**20})],
        r"core\.sample pk 1 .*field 'timestamp_s' must lie between 0 and 2147483647",
    ),
    "sample temperature text": (
        [_record("core.sample", 1, {**SAMPLE, "temperature_celsius": "hot"})],
        r"core\.sample pk 1 .*field 'temperature_celsius' must be a number",
    ),
    "address latitude text": (
        [
            _record(
                "core.address",
                50,
                {"street1": "a", "zip": "1", "city": "c", "latitude": "north"},
            )
        ],
        r"core\.address pk 50 .*field 'latitude' must be a number",
    ),
    "installation time text": (
        [
            _record(
                "core.roomnodeinstallation",
                50,
                {**INSTALLATION, "from_timestamp_s": "x"},
            )
        ],
        r"core\.roomnodeinstallation pk 50 .*field 'from_timestamp_s' must be whole",
    ),
    "installation time overflowing": (
        [
            _record(
                "core.roomnodeinstallation",
                50,
                {**INSTALLATION, "from_timestamp_s": 10**15},
            )
        ],
        r"core\.roomnodeinstallation pk 50 .*field 'from_timestamp_s' must lie",
    ),
    "fidelity check time text": (
        [
            _record(
                "core.nodefidelity",
                NODE,
                {"node": NODE, "fidelity": "A", "last_check_s": "x"},
            )
        ],
        r"core\.nodefidelity pk 3b95a1b2-.*field 'last_check_s' must be whole",
    ),
    "user twice": (
        [_user(9010), _user(9010, username="other")],
        r"auth\.user pk 9010 \(extra\.json\): appears twice",
    ),
    "organization twice": (
        [
            _record("core.organization", 9004, {"name": "a"}),
            _record("core.organization", 9004, {"name": "b"}),
        ],
        r"core\.organization pk 9004 .*appears twice",
    ),
    "node twice": (
        [
            _record("core.node", NODE.upper(), {"eui64": "1", "alias": "x"}),
        ],
        r"core\.node pk 3B95A1B2-.*appears twice \(also in inventory",
    ),
    "NUL in username": (
        [_user(9011, username="a\x00b")],
        r"auth\.user pk 9011 .*field 'username' contains a NUL character",
    ),
    "NUL in first name": (
        [_user(9011, first_name="a\x00b")],
        r"auth\.user pk 9011 .*field 'first_name' contains a NUL character",
    ),
    "NUL in organization name": (
        [_record("core.organization", 9004, {"name": "x\x00"})],
        r"core\.organization pk 9004 .*field 'name' contains a NUL character",
    ),
    "surrogate in username": (
        [_user(9011, username="\ud800")],
        r"auth\.user pk 9011 .*field 'username' is not valid Unicode text",
    ),
    "pk beyond bigint": (
        [_user(2**63)],
        r"auth\.user pk 9223372036854775808 .*primary key .* is not an id",
    ),
    "reference beyond bigint": (
        [
            _record(
                "core.membership", 9000, {"role": "O", "user": 2**63, "organization": 1}
            )
        ],
        r"core\.membership pk 9000 .*field 'user' 9223372036854775808 is not an id",
    ),
    "sample time negative": (
        [_record("core.sample", 1, {**SAMPLE, "timestamp_s": -5})],
        r"core\.sample pk 1 .*field 'timestamp_s' must lie between 0 and",
    ),
    "sample time in year 5138": (
        [_record("core.sample", 1, {**SAMPLE, "timestamp_s": 10**11})],
        r"core\.sample pk 1 .*field 'timestamp_s' must lie between 0 and",
    ),
    "sample time fractional": (
        [_record("core.sample", 1, {**SAMPLE, "timestamp_s": 1700000000.7})],
        r"core\.sample pk 1 .*field 'timestamp_s' must be whole epoch seconds",
    ),
}


@pytest.mark.parametrize(("records", "message"), MALFORMED.values(), ids=MALFORMED)
def test_import_managair_malformed_record_is_named_and_nothing_stored(
    app: Flask, session: Session, tmp_path: Path, records: Any, message: str
) -> None:
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps(records), encoding="utf-8")

    result = app.test_cli_runner().invoke(
        args=["import", "managair", USERS, INVENTORY, str(extra)]
    )

    assert result.exit_code == 1, result.output
    error = result.output.strip().splitlines()[-1]
    assert error.startswith("Error: Nothing imported: "), result.output
    assert re.search(message, error), error
    assert "Traceback" not in result.output
    assert users_count(session) == 0


@pytest.mark.parametrize(
    "content",
    ["[" * 100000 + "]" * 100000, '[{"model": "auth.user", "pk": ' + "9" * 5000 + "}]"],
    ids=["deeply nested", "5000-digit number"],
)
def test_import_managair_pathological_json_is_not_a_json_file(
    app: Flask, session: Session, tmp_path: Path, content: str
) -> None:
    extra = tmp_path / "extra.json"
    extra.write_text(content, encoding="utf-8")

    result = app.test_cli_runner().invoke(args=["import", "managair", str(extra)])

    assert result.exit_code == 1, result.output
    assert "Nothing imported:" in result.output
    assert "extra.json: not a JSON file" in result.output


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://co2@127.0.0.1:{port}/nowhere?password=s3cret-Pa55",
        "postgresql://co2@127.0.0.1:{port}/nowhere?sslmode=disable&PASSWORD=s3cret-Pa55",
    ],
    ids=["password parameter", "upper-case parameter"],
)
def test_import_managair_from_db_never_prints_a_password_parameter(
    app: Flask, url: str
) -> None:
    from tests.support.smtp import free_port

    result = app.test_cli_runner().invoke(
        args=[
            "import",
            "managair",
            "--dry-run",
            "--from-db",
            url.format(port=free_port()),
        ]
    )

    assert result.exit_code == 1, result.output
    assert "Nothing imported: cannot connect to" in result.output
    assert "s3cret-Pa55" not in result.output
    assert "=***" in result.output


@pytest.mark.parametrize(
    "url",
    ["postgresql://co2:s3cret@[::1:1/x", "postgresql://co2:s3cret@host:port/x"],
    ids=["unclosed bracket", "port not a number"],
)
def test_import_managair_from_db_refuses_a_malformed_url_in_one_line(
    app: Flask, url: str
) -> None:
    result = app.test_cli_runner().invoke(
        args=["import", "managair", "--dry-run", "--from-db", url]
    )

    assert result.exit_code == 1, result.output
    assert result.output == (
        "Reading <unparsable database URL> (one read-only snapshot).\n"
        "Error: Nothing imported: --from-db: not a database URL; give "
        "postgresql://USER:PASSWORD@HOST:PORT/NAME.\n"
    )


@pytest.mark.parametrize(
    "variable", ["MANAGAIR_DATABASE_URL", "MANAGAIR_DATABASE_URL_FILE"]
)
def test_import_managair_names_the_variable_that_clashes_with_fixture_files(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    url_file = tmp_path / "url"
    url_file.write_text("postgresql://co2@127.0.0.1:1/managair\n", encoding="utf-8")
    value = str(url_file) if variable.endswith("_FILE") else "postgresql://x@h/db"
    monkeypatch.delenv("MANAGAIR_DATABASE_URL", raising=False)
    monkeypatch.setenv(variable, value)
    fixtures = tmp_path / "users.json"
    fixtures.write_text("[]", encoding="utf-8")

    result = app.test_cli_runner().invoke(
        args=["import", "managair", "--dry-run", str(fixtures)]
    )

    assert result.exit_code == 2, result.output
    assert (
        f"Error: {variable} is set and names a database: unset it to import "
        "fixture files, or give no files to import from it."
    ) in result.output


def test_import_managair_refuses_an_empty_url_file_in_one_line(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url_file = tmp_path / "url"
    url_file.write_text("\n", encoding="utf-8")
    monkeypatch.delenv("MANAGAIR_DATABASE_URL", raising=False)
    monkeypatch.setenv("MANAGAIR_DATABASE_URL_FILE", str(url_file))

    result = app.test_cli_runner().invoke(args=["import", "managair", "--dry-run"])

    assert result.exit_code == 2, result.output
    assert (
        f"Error: MANAGAIR_DATABASE_URL_FILE: '{url_file}' is empty; write the "
        "database URL into it (postgresql://USER:PASSWORD@HOST:PORT/NAME)."
    ) in result.output
