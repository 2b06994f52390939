"""Request ids, security headers, CORS, size limits, metrics and JSON logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest

from flask import Flask, g, request
from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app import logs
from app.models import Organization, Role
from tests.factories import (
    make_alert_rule,
    make_alert_webhook,
    make_ingest_key,
    make_installation,
    make_membership,
    make_node,
    make_organization,
    make_room,
    make_site,
    make_user,
)
from tests.support.auth import auth_headers
from tests.support.refusals import assert_refused

#: Every kind of answer without a body: the deletes, and an ignored uplink.
NO_CONTENT = [
    "organization",
    "site",
    "room",
    "node",
    "installation",
    "membership",
    "alert-rule",
    "alert-webhook",
    "ignored-uplink",
]


def test_every_response_carries_a_request_id(client: FlaskClient) -> None:
    resp = client.get("/healthz")

    assert len(resp.headers["X-Request-ID"]) == 32


def test_a_sane_caller_request_id_is_kept(client: FlaskClient) -> None:
    resp = client.get("/healthz", headers={"X-Request-ID": "proxy-abc.123"})

    assert resp.headers["X-Request-ID"] == "proxy-abc.123"


def test_a_hostile_request_id_is_replaced(client: FlaskClient) -> None:
    resp = client.get("/healthz", headers={"X-Request-ID": "a b; Set-Cookie: x"})

    assert resp.headers["X-Request-ID"] != "a b; Set-Cookie: x"
    assert len(resp.headers["X-Request-ID"]) == 32


def test_security_headers_on_api_responses(client: FlaskClient) -> None:
    resp = client.get("/healthz")

    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in resp.headers


def test_hsts_only_when_https_is_configured(make_app: Callable[..., Flask]) -> None:
    app = make_app(HTTPS=True)

    resp = app.test_client().get("/healthz")

    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")


def test_cors_allows_only_configured_origins(make_app: Callable[..., Flask]) -> None:
    client = make_app(CORS_ORIGINS=("https://dash.example",)).test_client()

    allowed = client.get("/api/v1/x", headers={"Origin": "https://dash.example"})
    other = client.get("/api/v1/x", headers={"Origin": "https://evil.example"})

    assert allowed.headers["Access-Control-Allow-Origin"] == "https://dash.example"
    assert "Access-Control-Allow-Origin" not in other.headers


def test_no_cors_headers_without_configuration(client: FlaskClient) -> None:
    resp = client.get("/api/v1/x", headers={"Origin": "https://dash.example"})

    assert "Access-Control-Allow-Origin" not in resp.headers


def test_oversized_body_is_413_as_jsonapi(make_app: Callable[..., Flask]) -> None:
    app = make_app(MAX_REQUEST_BYTES=1024)
    app.add_url_rule(
        "/api/v1/echo",
        "echo",
        lambda: {"size": len(request.get_data())},
        methods=["POST"],
    )
    client = app.test_client()

    assert_refused(
        client,
        "POST",
        "/api/v1/echo",
        413,
        data=b"x" * 4096,
        content_type="application/vnd.api+json",
        unchanged=(),
    )


def test_metrics_count_requests_by_route_and_status(client: FlaskClient) -> None:
    client.get("/healthz")

    body = client.get("/metrics").get_data(as_text=True)

    assert (
        'airq_http_requests_total{method="GET",route="/healthz",status="200"}' in body
    )
    assert "airq_http_request_duration_seconds_bucket" in body
    assert "airq_outbox_entries" in body


def test_metrics_need_the_token_when_one_is_set(make_app: Callable[..., Flask]) -> None:
    client = make_app(METRICS_TOKEN="s3cret").test_client()

    assert_refused(client, "GET", "/metrics", 401, unchanged=())
    assert_refused(
        client,
        "GET",
        "/metrics",
        401,
        headers={"Authorization": "Bearer nope"},
        unchanged=(),
    )
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200


def test_metrics_can_be_switched_off(make_app: Callable[..., Flask]) -> None:
    client = make_app(METRICS_ENABLED=False).test_client()

    assert_refused(client, "GET", "/metrics", 404, unchanged=())


def test_json_logs_carry_the_request_id(app: Flask) -> None:
    logs.configure("INFO", "json")
    try:
        handler = next(
            h for h in logging.getLogger().handlers if getattr(h, "_airq", False)
        )
        with app.test_request_context("/"):
            g.request_id = "rid-1"
            record = logging.getLogger("app.test").makeRecord(
                "app.test", logging.INFO, __file__, 1, "hello %s", ("world",), None
            )
            handler.filter(record)
        line = handler.format(record)
    finally:
        logs.configure("WARNING", "text")
    parsed: dict[str, Any] = json.loads(line)

    assert parsed["message"] == "hello world"
    assert parsed["request_id"] == "rid-1"
    assert parsed["level"] == "INFO"


def _no_content_request(session: Session, kind: str) -> tuple[str, str, dict[str, str]]:
    """Method, path and headers of a request answered 204, by an OWNER of everything."""
    owner = make_user(session)
    org = make_organization(session)
    make_membership(session, owner, org, Role.OWNER)
    site = make_site(session, operator=org)
    room = make_room(session, site)
    ids: dict[str, object] = {
        "organization": make_organization(session).id,
        "site": make_site(session, operator=org).id,
        "room": make_room(session, site).id,
        "node": make_node(session, owner=org).id,
        "installation": make_installation(session, room=room).id,
        "membership": make_membership(session, make_user(session), org).id,
        "alert-rule": make_alert_rule(session, org).id,
        "alert-webhook": make_alert_webhook(session, org).id,
    }
    if kind == "ignored-uplink":
        key = make_ingest_key(session, org)
        session.commit()
        return (
            "POST",
            "/ingest/v1/chirpstack/?event=join",
            {"Authorization": f"Token {key}", "Content-Type": "application/json"},
        )
    make_membership(
        session, owner, session.get_one(Organization, ids["organization"]), Role.OWNER
    )
    return "DELETE", f"/api/v1/{kind}s/{ids[kind]}/", auth_headers(session, owner)


@pytest.mark.parametrize("kind", NO_CONTENT)
def test_a_204_has_no_content_type(
    client: FlaskClient, session: Session, kind: str
) -> None:
    method, path, headers = _no_content_request(session, kind)

    resp = client.open(
        path, method=method, headers=headers, data=b"{}" if method == "POST" else None
    )

    assert resp.status_code == 204, resp.get_data(as_text=True)
    assert resp.get_data() == b""
    assert "Content-Type" not in resp.headers
