"""Managair's demo world (spec §12) in the test database, loaded by the real importer."""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from app.services.importer import ImportReport, import_fixtures
from tests.support.paths import managair_fixtures

USERS_FILE = "user-fixtures.json"
INVENTORY_FILE = "inventory-fixtures.json"
DATA_FILE = "data-fixtures.json"
FILES = (USERS_FILE, INVENTORY_FILE, DATA_FILE)
OPEN_END_S = 2147483647

#: §12.1: username -> (id, password).
PEOPLE = {
    "admin": (1, "admin"),
    "tomTester": (2, "test"),
    "veraVersuch": (3, "versuch"),
    "horstHilfsarbeiter": (4, "horst"),
    "annaAngestellte": (5, "anna"),
    "ingoInspekteur": (6, "ingo"),
    "priskaPrueferin": (7, "priska"),
}


def fixtures_dir() -> Path:
    """Return ``shared/fixtures/managair`` beside the project."""
    return managair_fixtures()


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
