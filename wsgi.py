"""WSGI entry point: ``gunicorn wsgi:app`` (and ``FLASK_APP=wsgi:app`` for the CLI)."""

import sys

from app import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # One clear line instead of a traceback: the operator has a setting to fix.
    print(f"configuration error: {exc}", file=sys.stderr)
    raise SystemExit(2) from None
