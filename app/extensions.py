"""Unbound extension objects, imported by models and bound by ``create_app``."""

from __future__ import annotations

from typing import Any

from flask_babel import Babel
from flask_jwt_extended import JWTManager
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from app.models.base import Base

db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


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


migrate = Migrate(
    compare_type=True, include_object=include_object, render_as_batch=False
)

babel = Babel()
login_manager = LoginManager()
jwt = JWTManager()
csrf = CSRFProtect()
