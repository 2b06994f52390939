"""The wired app answers errors as JSON:API documents."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

import pytest

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.models import Quantity
from tests.support.refusals import assert_refused


def test_unknown_api_url_is_a_jsonapi_404(client: FlaskClient) -> None:
    resp = client.get("/api/v1/no-such-thing/")

    assert resp.status_code == 404
    assert resp.mimetype == "application/vnd.api+json"
    assert resp.json is not None
    assert resp.json["errors"][0]["status"] == "404"


def test_invalid_token_is_401_with_www_authenticate(client: FlaskClient) -> None:
    resp = client.get("/api/v1/", headers={"Authorization": "Token nope"})

    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Token")
    assert resp.json is not None
    assert resp.json["errors"][0]["code"] == "not_authenticated"


def test_unknown_authorization_scheme_is_401(client: FlaskClient) -> None:
    assert_refused(
        client,
        "GET",
        "/api/v1/",
        401,
        headers={"Authorization": "Basic dTpw"},
        unchanged=(),
        header="Authorization",
    )


def test_a_constraint_violation_answers_without_the_constraint_name(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    """The name tells a client nothing the ``code`` does not; it stays in the log."""
    app = make_app()

    def duplicate() -> dict[str, str]:
        name = f"dup-{uuid.uuid4().hex[:8]}"
        db.session.add_all([Quantity(quantity=name, base_unit="PPM") for _ in "ab"])
        db.session.flush()
        return {}

    app.add_url_rule("/api/v1/duplicate/", "duplicate", duplicate)

    with caplog.at_level(logging.INFO, logger="app.jsonapi.handlers"):
        resp = assert_refused(
            app.test_client(), "GET", "/api/v1/duplicate/", 409, unchanged=()
        )

    assert resp.json is not None
    (error,) = resp.json["errors"]
    assert error["code"] == "unique"
    assert "meta" not in error
    assert "quantities_quantity" not in resp.get_data(as_text=True)
    assert "quantities_quantity" in caplog.text
