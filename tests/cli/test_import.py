"""``flask import managair``: progress, summary, errors and dry runs."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Membership, User
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
