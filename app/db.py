"""Declarative base, the transaction helper and the end of each request's session."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from sqlalchemy import MetaData
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


log = logging.getLogger(__name__)


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


def init_session_teardown(app: Flask) -> None:
    """End each request's session without letting a lost connection become a 500.

    Flask-SQLAlchemy closes the session after the answer is built; closing rolls
    the transaction back, and when the database went away after the view read
    what it needed, that ``ROLLBACK`` raises and turned a finished 200 into a bare
    500 from the WSGI server. Registered after ``db.init_app``, this runs first
    (teardowns run in reverse), logs the loss and forgets the broken session.
    """
    from app.extensions import db

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        try:
            db.session.remove()
        except SQLAlchemyError:
            log.warning("Closing the database session failed", exc_info=True)
            db.session.registry.clear()
