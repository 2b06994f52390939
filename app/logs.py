"""Logging set-up from ``LOG_LEVEL`` and the optional Sentry integration."""

from __future__ import annotations

import logging

APP_LOGGERS = ("app", "gunicorn.error")


def configure(level: str) -> None:
    """Send the application's log records to stderr at ``level``."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
        root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in APP_LOGGERS:
        logging.getLogger(name).setLevel(level)


def init_sentry(dsn: str) -> None:
    """Report unhandled errors to Sentry, without personal data."""
    import sentry_sdk

    sentry_sdk.init(dsn=dsn, send_default_pii=False, traces_sample_rate=0.0)
