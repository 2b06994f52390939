"""A real browser for the tests: Debian's headless Chromium driven by Playwright.

Playwright's Python package talks to the system browser (``/usr/bin/chromium``,
installed by ``make browser``, which ``make test`` runs); it never downloads a
browser of its own. The app is served by werkzeug on a free loopback port.
"""

from __future__ import annotations

import http.server
import logging
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import flask_migrate

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from sqlalchemy.orm import Session

from app import create_app
from app.db import transaction
from app.extensions import db
from tests.support.database import throwaway_database

T = TypeVar("T")
Serving = BaseWSGIServer | http.server.ThreadingHTTPServer

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
UPLOT = REPO_ROOT / "app" / "static" / "vendor" / "uplot" / "uPlot.iife.min.js"


def require_browser() -> str:
    """Return the system Chromium's path.

    Raises:
        AssertionError: it is missing (``make browser`` installs it).
    """
    path = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    assert path, "Chromium is missing: run `make browser` (make test does)"
    return path


def require_vendored_assets() -> None:
    """Vendor the chart library from the npm registry if ``make setup`` has not."""
    if not UPLOT.exists():
        subprocess.run(["make", "-s", "vendor"], cwd=REPO_ROOT, check=True)


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a free loopback port in a thread; yield its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with _serving(make_server("127.0.0.1", 0, app, threaded=True)) as port:
        yield f"http://127.0.0.1:{port}"


@contextmanager
def serve_page(folder: Path, html: str) -> Iterator[str]:
    """Serve one page from ``folder`` on another loopback port (another origin,
    e.g. a website embedding ours); yield its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(html)
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with _serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)) as port:
        yield f"http://127.0.0.1:{port}/index.html"


@contextmanager
def _serving(server: Serving) -> Iterator[int]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@contextmanager
def migrated_app(prefix: str, **overrides: Any) -> Iterator[Flask]:
    """Yield the app (not in testing mode) on a migrated throwaway database.

    The browser drives a real server in other threads, so data must be committed:
    arrange it with :func:`in_db`. The engine is closed at the end.
    """
    with throwaway_database(prefix) as url:
        app = create_app(
            {
                "TESTING": False,
                "SQLALCHEMY_DATABASE_URI": url,
                "LOG_LEVEL": "WARNING",
                **overrides,
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
            db.session.remove()
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def in_db(app: Flask, work: Callable[[Session], T]) -> T:
    """Run ``work`` in a committed transaction of ``app``'s database; return its result."""
    with app.app_context():
        try:
            with transaction() as session:
                return work(session)
        finally:
            db.session.remove()
