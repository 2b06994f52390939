"""``flask import managair``: progress, summary, errors and dry runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import ImportedRow, Membership, User
from tests.support.apps import app_builder
from tests.support.database import migrated_database
from tests.support.managair import fixture_file
from tests.support.managair_data import INVENTORY_FILE, USERS_FILE

USERS = str(fixture_file(USERS_FILE))
INVENTORY = str(fixture_file(INVENTORY_FILE))


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
