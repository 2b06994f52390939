"""The transaction helper and the end of each request's session.

The declarative base is :mod:`app.models.base`; the ``db`` extension is
:mod:`app.extensions`, imported here at the top (it never imports this module).
"""

from __future__ import annotations

import logging
import select
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from flask import Flask

from sqlalchemy import Engine, event
from sqlalchemy.engine.interfaces import Dialect
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from app.extensions import db

log = logging.getLogger(__name__)
IDLE_SINCE = "airq_idle_since"


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


def init_connection_checks(app: Flask) -> None:
    """Check each pooled connection before a request uses it, mostly without a round trip.

    SQLAlchemy's ``pool_pre_ping`` sends an empty statement before every use: a
    round trip on every request (about half a millisecond of the installation
    detail's 20). Instead, a connection taken from the pool is

    - discarded when the driver closed it, or when its socket has something to
      read: idle, it is only spoken to when the server ends it (a restart,
      ``pg_terminate_backend``, an idle timeout, PgBouncer), which sends its last
      message and closes; a ``poll()`` without a timeout sees that without a
      round trip;
    - pinged when it has been idle for longer than ``DB_PING_IDLE_S`` (0: before
      every use), for what a socket cannot show: a database host that vanished or a
      firewall that forgot the connection.

    A discarded connection is replaced by a new one before the request sees it, as
    with ``pool_pre_ping``.
    """
    idle_s = float(app.config["DB_PING_IDLE_S"])
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if isinstance(engine, Engine):
            event.listen(engine, "checkin", _note_idle)
            event.listen(engine, "checkout", partial(_check, engine.dialect, idle_s))


def _note_idle(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[IDLE_SINCE] = time.monotonic()


def _check(
    dialect: Dialect,
    idle_s: float,
    dbapi_connection: Any,
    record: ConnectionPoolEntry,
    proxy: PoolProxiedConnection,
) -> None:
    """Raise ``DisconnectionError`` (the pool connects anew) for a dead connection."""
    idle_since = record.info.get(IDLE_SINCE)
    if idle_since is None:
        return  # connected for this checkout
    if dbapi_connection.closed:
        raise DisconnectionError("the connection was closed")
    if _readable(dbapi_connection.fileno()):
        raise DisconnectionError("the server closed the connection")
    if time.monotonic() - idle_since >= idle_s:
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise DisconnectionError("the connection failed a ping") from error


def _readable(fd: int) -> bool:
    """Whether the socket ``fd`` has something to read, without waiting.

    ``poll``, not ``select``: ``select`` refuses descriptors above 1023, which a
    worker with many open connections reaches (gevent brings its own ``poll``).
    """
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))
