"""Migration 0007: the analytics schema goes away on downgrade, also with analysts."""

from __future__ import annotations

import os
import secrets

import flask_migrate

from sqlalchemy import text

from app import create_app
from app.db import transaction
from app.extensions import db
from app.services.access import SYSTEM
from app.services.ops.analysts import NewAnalystRole, create_analyst_role
from tests.support.database import throwaway_database


def test_downgrade_below_0007_drops_schema_and_leaves_roles_droppable() -> None:
    name = f"airq_m{os.getpid()}_{secrets.token_hex(3)}"
    with throwaway_database("co2_migr_analytics") as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            flask_migrate.upgrade()
            with transaction() as session:
                create_analyst_role(
                    session,
                    SYSTEM,
                    NewAnalystRole(name=name, password="pw", public_data=True),
                )

            flask_migrate.downgrade(revision="0003")
            with transaction() as session:
                schema = session.execute(
                    text(
                        "SELECT count(*) FROM pg_namespace WHERE nspname = 'analytics'"
                    )
                ).scalar_one()
                tables = session.execute(
                    text(
                        "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'analyst_%'"
                    )
                ).scalar_one()
                # nothing of the role is left in this database, so it can go
                session.execute(text(f'DROP ROLE "{name}"'))

            flask_migrate.upgrade()
            db.session.remove()
            db.engine.dispose()

    assert (schema, tables) == (0, 0)
