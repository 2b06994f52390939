"""A connection lost after the view answered does not turn the answer into a 500."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from sqlalchemy import text

from app.extensions import db


def _lose_connection_after_reading() -> dict[str, int]:
    """Read, then have another connection end this session's backend."""
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with db.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        other.commit()
    return {"pid": pid}


def test_request_whose_connection_dies_after_the_view_still_answers(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app()
    app.add_url_rule("/test-lost-connection", view_func=_lose_connection_after_reading)

    response = app.test_client().get("/test-lost-connection")
    after = app.test_client().get("/test-lost-connection")  # a new connection

    assert response.status_code == 200
    assert response.json is not None
    assert after.status_code == 200
    assert after.json is not None
    assert after.json["pid"] != response.json["pid"]
