"""Request ids, security headers, CORS, size limits, metrics and JSON logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, g, request
from flask.testing import FlaskClient

from app import logs
from tests.support.refusals import assert_refused


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
