"""Unbound extension objects, imported by models and bound by ``create_app``."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from flask_babel import Babel
from flask_jwt_extended import JWTManager
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from flask import Flask

from app.models.base import Base

#: Every session of the app: objects keep their values on commit (an answer is
#: rendered from what the request wrote, not reloaded). The tests' sessions use
#: the same options, so a value stored unconverted shows up there too.
SESSION_OPTIONS: dict[str, Any] = {"expire_on_commit": False}

db = SQLAlchemy(model_class=Base, session_options=dict(SESSION_OPTIONS))


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Keep TimescaleDB's own relations and the aggregate tables out of autogenerate."""
    schema = getattr(obj, "schema", None) or ""
    if schema.startswith(("_timescaledb", "timescaledb")) or schema == "analytics":
        return False
    return not (
        type_ == "table"
        and reflected
        and name is not None
        and name.startswith("samples_")
    )


class Migrations:
    """What Flask-Migrate reads from ``app.extensions["migrate"]``, without importing it.

    Importing Flask-Migrate imports Alembic and SQLAlchemy's every dialect (a
    third of the start-up of ``import app``), and only ``flask db`` and the
    tests' ``flask_migrate.upgrade()`` migrate: the web, job and publisher
    processes never do. Flask-Migrate's functions use ``.migrate``, ``.directory``
    and ``.db``, and ``migrations/env.py`` ``.configure_args``; only ``.migrate``
    needs Flask-Migrate, so it is made on first use.
    """

    def __init__(self, directory: Path) -> None:
        self.db = db
        self.directory = str(directory)
        self.configure_args: dict[str, Any] = {
            "compare_type": True,
            "include_object": include_object,
            "render_as_batch": False,
        }

    @property
    def metadata(self) -> Any:
        """The models' metadata (what older ``env.py`` files read)."""
        return self.db.metadata

    @cached_property
    def migrate(self) -> Any:
        """Flask-Migrate's ``Migrate``, which builds the Alembic configuration."""
        from flask_migrate import Migrate  # only when migrating: see above

        return Migrate(db=self.db, directory=self.directory, **self.configure_args)

    def init_app(self, app: Flask) -> None:
        """Make ``flask_migrate``'s functions work on ``app``; ``flask db`` is
        registered with the other commands (:mod:`app.cli`)."""
        app.extensions["migrate"] = self


babel = Babel()
login_manager = LoginManager()
jwt = JWTManager()
csrf = CSRFProtect()
