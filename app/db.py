"""Declarative base with a constraint naming convention, and the transaction helper."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Session

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


@contextmanager
def transaction(session: Session | None = None) -> Iterator[Session]:
    """Commit the session when the block succeeds, roll it back otherwise.

    Routes and jobs own the transaction; services only flush.
    """
    from app.extensions import db

    s = session or db.session()
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise
