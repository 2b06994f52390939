"""The declarative base of every model, with the constraint naming convention.

Kept apart from the session helpers in :mod:`app.db` so that the models, the
``db`` extension (:mod:`app.extensions`) and the helpers import one another in
one direction only: models → base, extensions → base, ``app.db`` → extensions.
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model; constraint names come from the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
