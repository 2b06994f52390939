"""The transaction helper and the end of each request's session.

The declarative base is :mod:`app.models.base`; the ``db`` extension is
:mod:`app.extensions`, imported here at the top (it never imports this module).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.extensions import db

log = logging.getLogger(__name__)


@contextmanager
def transaction(session: Session | None = None) -> Iterator[Session]:
    """Commit the session when the block succeeds, roll it back otherwise.

    Routes and jobs own the transaction; services only flush.
    """
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

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        try:
            db.session.remove()
        except SQLAlchemyError:
            log.warning("Closing the database session failed", exc_info=True)
            db.session.registry.clear()
