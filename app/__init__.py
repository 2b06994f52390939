"""Application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from app import logs
from app.authn import init_authn
from app.dashboard_dir.serve import init_dashboard_dir
from app.db import init_connection_checks, init_session_teardown
from app.extensions import Migrations, db
from app.http import init_http
from app.i18n import init_i18n
from app.jsonapi import (
    JsonApi,
    init_media,
    make_slashes_optional,
    register_error_handlers,
)
from app.jsonapi.routing import cap_path_ids
from app.metrics import init_metrics
from app.services.ops.replica import init_replica

ROOT = Path(__file__).resolve().parent.parent
HTML_PREFIXES = ("/accounts/", "/admin/", "/dashboard/")


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the web application from the environment, then apply ``overrides``.

    Raises:
        config.ConfigError: a setting is missing or malformed.
    """
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(config.load())
    if overrides:
        app.config.update(overrides)
    app.config.setdefault("API_TITLE", "airq: CO2 sensor-network API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1/schema")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    _derive_settings(app)
    logs.configure(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
    if app.config["SENTRY"]:
        logs.init_sentry(app.config["SENTRY_URL"])

    init_i18n(app)
    init_replica(app)
    db.init_app(app)
    init_session_teardown(app)
    init_connection_checks(app)
    Migrations(ROOT / "migrations").init_app(app)
    make_slashes_optional(app)
    cap_path_ids(app)
    api = JsonApi(app)
    register_error_handlers(app, html_prefixes=HTML_PREFIXES)
    init_media(app)
    init_http(app)
    init_metrics(app)
    init_dashboard_dir(app)  # before authentication: the build needs no credentials
    init_authn(app)

    from app.blueprints import register_blueprints
    from app.cli import register_commands

    register_blueprints(app, api)
    register_commands(app)

    from app.admin import init_admin

    init_admin(app)  # after Babel and the account pages (log-in redirect)

    from app.blueprints.ingest import fast

    fast.install(app)
    _trust_proxies(app)  # outermost: the fast path sees the forwarded host too
    return app


def _derive_settings(app: Flask) -> None:
    """Turn our settings into the ones Flask and its extensions read."""
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_REQUEST_BYTES"]
    app.config["SESSION_COOKIE_SECURE"] = bool(
        app.config.get("SESSION_COOKIE_SECURE") or app.config["HTTPS"]
    )
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    hosts = app.config["ALLOWED_HOSTS"]
    if hosts and "*" not in hosts:
        app.config["TRUSTED_HOSTS"] = list(hosts)
    connect_args: dict[str, Any] = {
        "connect_timeout": app.config["DB_CONNECT_TIMEOUT_S"],
        "application_name": "airq",
    }
    if app.config.get("DB_PGBOUNCER"):
        connect_args["prepare_threshold"] = None
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        {
            "pool_size": app.config["DB_POOL_SIZE"],
            "pool_recycle": 1800,
            "connect_args": connect_args,
        },
    )


def _trust_proxies(app: Flask) -> None:
    """Take client address, scheme and host from ``TRUSTED_PROXY_COUNT`` proxies."""
    count = app.config.get("TRUSTED_PROXY_COUNT", 0)
    if count:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count
        )
