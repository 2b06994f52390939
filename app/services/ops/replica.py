"""Read routing: heavy read-only queries (series, analytics) may go to a replica.

With ``DATABASE_REPLICA_URL`` set, :func:`read_session` returns a session on that
streaming replica (one per request, closed at teardown); without it, the primary's
request session, so reads see the request's own writes.
"""

from __future__ import annotations

from flask import Flask, g

from sqlalchemy.orm import Session

from app.extensions import db

REPLICA = "replica"


def init_replica(app: Flask) -> None:
    """Declare the replica bind (if configured) and close its sessions after requests."""
    url = app.config.get("DATABASE_REPLICA_URL")
    if url:
        binds = dict(app.config.get("SQLALCHEMY_BINDS") or {})
        binds[REPLICA] = {"url": url, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
        app.config["SQLALCHEMY_BINDS"] = binds
    app.teardown_appcontext(_close)


def read_session() -> Session:
    """Return the session for read-only queries (the replica when configured)."""
    if REPLICA not in db.engines:
        return db.session()
    if "replica_session" not in g:
        g.replica_session = Session(bind=db.engines[REPLICA])
    session: Session = g.replica_session
    return session


def _close(_exc: BaseException | None) -> None:
    session = g.pop("replica_session", None)
    if session is not None:
        session.close()
