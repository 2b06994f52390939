"""Managair's demo world in the test database, loaded by the real importer.

The fixture files are the project's own (:mod:`tests.support.managair_data`),
written once per test process into a temporary directory.
"""

from __future__ import annotations

import atexit
import json
import shutil
import tempfile
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from app.services.importer import ImportReport, import_fixtures
from tests.support import managair_data
from tests.support.managair_data import DATA_FILE, INVENTORY_FILE, USERS_FILE

FILES = (USERS_FILE, INVENTORY_FILE, DATA_FILE)

#: username -> (id, password).
PEOPLE = {p.username: (p.pk, p.password) for p in managair_data.PEOPLE}


@cache
def fixtures_dir() -> Path:
    """Return a directory holding the three fixture files (removed at exit)."""
    folder = Path(tempfile.mkdtemp(prefix="managair-fixtures-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    managair_data.write_world(folder)
    return folder


def fixture_file(name: str) -> Path:
    """Return the path of one fixture file (``USERS_FILE`` and its siblings)."""
    return fixtures_dir() / name


@cache
def rows_by_model() -> dict[str, list[dict[str, Any]]]:
    """Return every fixture row of the three files, grouped by Django model."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for name in FILES:
        for row in json.loads((fixtures_dir() / name).read_text(encoding="utf-8")):
            grouped[row["model"]].append(row)
    return dict(grouped)


def import_people(session: Session) -> ImportReport:
    """Import the users and inventory files (people, catalogue, inventory)."""
    folder = fixtures_dir()
    return import_fixtures(session, [folder / USERS_FILE, folder / INVENTORY_FILE])


def load_world(session: Session) -> None:
    """Import the demo world without its samples."""
    import_people(session)
    session.flush()


def load_managair(session: Session) -> dict[str, int]:
    """Import all three files; returns the rows created per Django model."""
    folder = fixtures_dir()
    report = import_fixtures(session, [folder / name for name in FILES])
    return {m.label: m.result.created for m in report.models}


def user(session: Session, username: str) -> User:
    """Return an imported user by username."""
    return session.scalars(select(User).where(User.username == username)).one()
