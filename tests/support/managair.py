"""Managair's demo fixtures, loaded into a session for acceptance tests.

Users, organizations and memberships go through a minimal local loader (the
tenancy importer owns them in the application); the inventory and the samples
go through :mod:`app.services.importer.inventory`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Membership, Organization, Role, User
from app.services.importer.inventory import ORDER

ROOT = Path(__file__).resolve().parents[2]
FILES = ("user-fixtures.json", "inventory-fixtures.json", "data-fixtures.json")


def fixtures_dir() -> Path:
    """Find ``shared/fixtures/managair`` beside the project or one of its parents."""
    for parent in ROOT.parents:
        candidate = parent / "shared" / "fixtures" / "managair"
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("shared/fixtures/managair not found above " + str(ROOT))


@cache
def rows_by_model() -> dict[str, list[dict[str, Any]]]:
    """Return every fixture row of the three files, grouped by Django model."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for name in FILES:
        for row in json.loads((fixtures_dir() / name).read_text(encoding="utf-8")):
            grouped[row["model"]].append(row)
    return dict(grouped)


def load_tenancy(session: Session, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Load users, organizations and memberships keeping their keys."""
    verified = {
        r["fields"]["user"]
        for r in rows.get("account.emailaddress", [])
        if r["fields"].get("verified")
    }
    for r in rows.get("auth.user", []):
        f = r["fields"]
        session.add(
            User(
                id=r["pk"],
                username=f["username"],
                email=f.get("email", ""),
                email_verified=r["pk"] in verified,
                first_name=f.get("first_name", ""),
                last_name=f.get("last_name", ""),
                password_hash=f.get("password", ""),
                is_active=f.get("is_active", True),
                is_staff=f.get("is_staff", False),
                is_superuser=f.get("is_superuser", False),
            )
        )
    for r in rows.get("core.organization", []):
        f = r["fields"]
        session.add(
            Organization(id=r["pk"], name=f["name"], description=f["description"])
        )
    session.flush()
    for r in rows.get("core.membership", []):
        f = r["fields"]
        session.add(
            Membership(
                id=r["pk"],
                role=Role(f["role"]),
                user_id=f["user"],
                organization_id=f["organization"],
            )
        )
    session.flush()
    for table in ("users", "organizations", "memberships"):
        session.execute(
            select(
                func.setval(
                    func.pg_get_serial_sequence(table, "id"),
                    select(func.max(_id(table))).scalar_subquery(),
                )
            )
        )


def _id(table: str) -> Any:
    model: dict[str, Any] = {
        "users": User,
        "organizations": Organization,
        "memberships": Membership,
    }
    return model[table].id


def load_managair(session: Session) -> dict[str, int]:
    """Load the whole demo world; returns the rows written per Django model."""
    rows = rows_by_model()
    load_tenancy(session, rows)
    return {label: importer(session, rows.get(label, [])) for label, importer in ORDER}
