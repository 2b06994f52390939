"""The command group of every ``flask`` command of this project.

A command that cannot use the database (PostgreSQL down, a wrong DATABASE_URL, a
database that was never migrated or lacks TimescaleDB) ends with one line that
says what to do and exit status 1, not with SQLAlchemy's traceback.
"""

from __future__ import annotations

from typing import Any

import click

from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from app.services.ops.database import TimescaleMissingError

#: SQLSTATE classes of a database that cannot be used at all: connection
#: exceptions (08), authorization (28), unknown database (3D)
_UNREACHABLE = ("08", "28", "3D")
#: undefined table, column, function: the schema lags behind the code
_NOT_MIGRATED = ("42P01", "42703", "42883")


class Group(click.Group):
    """A ``click.Group`` whose commands report an unusable database in one line."""

    #: whether a missing table means "run the migrations" (not in ``flask db``,
    #: where it is a migration's own error)
    schema_hint = True

    def invoke(self, ctx: click.Context) -> Any:
        """Run the sub-command; turn database trouble into a ``ClickException``."""
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            message = database_problem(exc, schema_hint=self.schema_hint)
            if message is None:
                raise
            raise click.ClickException(message) from exc
        except TimescaleMissingError as exc:
            raise click.ClickException(str(exc)) from exc


def database_problem(exc: DBAPIError, *, schema_hint: bool = True) -> str | None:
    """One line for a database that cannot be used, or None for other errors."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    reason = _first_line(exc.orig)
    if schema_hint and sqlstate in _NOT_MIGRATED:
        return (
            f"the database schema is not up to date ({reason}); "
            "run `flask db upgrade` first"
        )
    if isinstance(exc, OperationalError) and (
        sqlstate is None or sqlstate[:2] in _UNREACHABLE
    ):
        return f"database unreachable ({reason}); check DATABASE_URL"
    return None


def _first_line(error: BaseException | None) -> str:
    text = str(error or "").strip()
    return text.splitlines()[0] if text else type(error).__name__
