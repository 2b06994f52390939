"""Logging set-up from ``LOG_LEVEL``/``LOG_FORMAT``, request ids, optional Sentry."""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

from flask import g, has_request_context

APP_LOGGERS = ("app", "gunicorn.error", "gunicorn.access")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamp every record with the id of the request it was logged in ("-" outside)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure(level: str, fmt: str = "text") -> None:
    """Send log records to stderr at ``level``, as text lines or JSON objects."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_airq", False)), None)
    if handler is None:
        handler = logging.StreamHandler()
        handler._airq = True  # type: ignore[attr-defined]
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level"})
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root.setLevel(logging.WARNING)
    for name in APP_LOGGERS:
        logging.getLogger(name).setLevel(level)


def init_sentry(dsn: str) -> None:
    """Report unhandled errors to Sentry, without personal data."""
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn, traces_sample_rate=0.0
    )  # sends no personal data by default
