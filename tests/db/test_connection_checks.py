"""Pooled connections are checked before use without a round trip: one the server
ended is replaced, and only one idle for ``DB_PING_IDLE_S`` is pinged."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

import pytest

from flask import Flask

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from app.db import _readable
from app.extensions import db
from tests.support.statements import recorded_statements

PID_PATH = "/test-backend-pid"
PING = ";"  # what SQLAlchemy's psycopg dialect sends as a ping


def _backend_pid() -> dict[str, int]:
    return {"pid": db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()}


def _app_with_pid_view(make_app: Callable[..., Flask], **settings: object) -> Flask:
    app = make_app(**settings)
    app.add_url_rule(PID_PATH, view_func=_backend_pid)
    return app


def _pid(app: Flask) -> int:
    response = app.test_client().get(PID_PATH)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json is not None
    return int(response.json["pid"])


def test_a_request_after_the_server_ended_the_connection_succeeds(
    make_app: Callable[..., Flask], database_url: str
) -> None:
    app = _app_with_pid_view(make_app)
    before = _pid(app)
    other = create_engine(database_url, poolclass=NullPool)
    with other.connect() as conn:  # not one of the app's: it ends the app's
        ended = conn.execute(
            text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": before}
        ).scalar_one()
    assert ended

    after = _pid(app)  # the pooled connection is dead: a new one answers

    assert after != before


def test_a_request_after_a_pooled_connection_was_closed_succeeds(
    make_app: Callable[..., Flask],
) -> None:
    app = _app_with_pid_view(make_app)
    before = _pid(app)
    with app.app_context():
        pooled = db.engine.raw_connection()
        driver = pooled.driver_connection
        pooled.close()  # back to the pool
    assert driver is not None
    driver.close()  # closed while idle in the pool

    after = _pid(app)

    assert after != before


@pytest.mark.parametrize(("idle_s", "pinged"), [(0, True), (3600, False)])
def test_only_a_connection_idle_for_long_is_pinged(
    make_app: Callable[..., Flask], idle_s: int, pinged: bool
) -> None:
    app = _app_with_pid_view(make_app, DB_PING_IDLE_S=idle_s)
    before = _pid(app)
    # Record on the pooled connection itself, then hand it back for the request.
    with app.app_context(), recorded_statements(db.session()) as sent:
        db.session.remove()
        sent.clear()
        after = _pid(app)

    assert after == before  # the same connection, alive
    assert (sent[0].query == PING) is pinged


def test_a_socket_numbered_above_select_s_limit_is_checked() -> None:
    """A worker with many connections has descriptors above 1023, which ``select``
    refuses; the check must still see whether one has something to read."""
    here, there = socket.socketpair()
    high = os.dup2(here.fileno(), 1500)
    try:
        assert not _readable(high)
        there.send(b"E")  # what a server ending the connection sends first
        assert _readable(high)
    finally:
        os.close(high)
        here.close()
        there.close()
