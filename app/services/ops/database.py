"""Facts about the database the app runs on: TimescaleDB edition, schema revision."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


class TimescaleMissingError(RuntimeError):
    """The database has no TimescaleDB extension; the service cannot run without it."""


@dataclass(frozen=True)
class TimescaleInfo:
    """The installed TimescaleDB: version and edition (``apache`` or ``timescale``)."""

    version: str
    edition: str

    @property
    def has_continuous_aggregates(self) -> bool:
        """Whether the TSL features (continuous aggregates, compression) exist."""
        return self.edition == "timescale"


def timescale_info(session: Session) -> TimescaleInfo:
    """Return the version and edition of TimescaleDB in the connected database.

    Raises:
        TimescaleMissingError: the extension is not installed in this database.
    """
    version = session.execute(
        text("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")
    ).scalar_one_or_none()
    if version is None:
        raise TimescaleMissingError(
            "the timescaledb extension is not installed in this database; "
            "run `make db` (or CREATE EXTENSION timescaledb as a superuser)"
        )
    edition = session.execute(
        text("SELECT current_setting('timescaledb.license', true)")
    ).scalar_one()
    return TimescaleInfo(version=version, edition=edition or "apache")


@cache
def head_revision() -> str | None:
    """Return the newest Alembic revision shipped with this code.

    Alembic is imported here, by the first readiness check, not with this
    module: every process imports this module and only ``/readyz`` asks.
    """
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(session: Session) -> str | None:
    """Return the Alembic revision the database is at (None before migrations)."""
    exists = session.execute(text("SELECT to_regclass('alembic_version')")).scalar_one()
    if exists is None:
        return None
    rev: str | None = session.execute(
        text("SELECT version_num FROM alembic_version")
    ).scalar_one_or_none()
    return rev
