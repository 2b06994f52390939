"""Migrations: one head, ids in chain order, a full round trip, and the hypertable
they create."""

from __future__ import annotations

from pathlib import Path

import flask_migrate

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from tests.support.database import throwaway_database

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def test_migrations_have_a_single_head() -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))

    heads = ScriptDirectory.from_config(config).get_heads()

    assert len(heads) == 1


def test_revision_ids_increase_along_the_chain() -> None:
    # Renumbered once (nothing was released): a newcomer reads the history in file
    # order, and a new revision takes the next number after the head.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)

    chain = [rev.revision for rev in script.walk_revisions("base", "heads")][::-1]
    files = sorted(path.name for path in (MIGRATIONS / "versions").glob("*.py"))

    assert chain == [f"{n:04d}" for n in range(1, len(chain) + 1)]
    assert [name[:5] for name in files] == [f"{rev}_" for rev in chain]


def _tables(session: Session) -> set[str]:
    rows = session.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    ).scalars()
    return set(rows)


def test_upgrade_downgrade_upgrade_round_trip() -> None:
    with throwaway_database("co2_migr") as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            flask_migrate.upgrade()
            after_first = _tables(db.session())
            db.session.remove()

            flask_migrate.downgrade(revision="base")
            after_down = _tables(db.session())
            db.session.remove()

            flask_migrate.upgrade()
            after_second = _tables(db.session())
            db.session.remove()
            db.engine.dispose()

    assert {"samples", "installations", "users", "nodes"} <= after_first
    assert after_down == {"alembic_version"}
    assert after_second == after_first


def test_samples_is_a_hypertable_on_time(session: Session) -> None:
    row = session.execute(
        text(
            "SELECT d.column_name, d.time_interval FROM timescaledb_information.dimensions d "
            "WHERE d.hypertable_name = 'samples'"
        )
    ).one()

    assert row.column_name == "time"
    # Migration 0014 applies SAMPLES_CHUNK_DAYS (default 30) to new chunks.
    assert row.time_interval.days == 30


def test_samples_has_unique_node_time_desc_index(session: Session) -> None:
    rows = session.execute(
        text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'samples'")
    )
    indexes = {name: definition for name, definition in rows}

    assert (
        "CREATE UNIQUE INDEX ux_samples_node_id_time"
        in indexes["ux_samples_node_id_time"]
    )
    assert '(node_id, "time" DESC)' in indexes["ux_samples_node_id_time"]
