"""A real browser for the tests: Debian's headless Chromium driven by Playwright.

Playwright's Python package talks to the system browser (``/usr/bin/chromium``,
installed by ``make browser``, which ``make test`` runs); it never downloads a
browser of its own. The app is served by werkzeug on a free loopback port.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

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
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
