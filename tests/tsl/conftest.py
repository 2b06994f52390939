"""The PGlite TimescaleDB (TSL edition) server for ``@pytest.mark.tsl`` tests.

``npm ci`` installs the pinned packages of ``package.json``/``package-lock.json``
when ``node_modules`` is missing; ``serve.mjs`` then serves an in-memory database on
a free loopback port for the whole test session. Node.js and npm must be on the
machine (the architecture requires them): without them the TSL tests fail, they are
never skipped.
"""

from __future__ import annotations

import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
MARKER = HERE / "node_modules" / "@unni-craftsman" / "pglite" / "package.json"
START_TIMEOUT_S = 120.0


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; the TSL tests need Node.js and npm")
    return path


def _install() -> None:
    if MARKER.is_file():
        return
    subprocess.run(
        [_tool("npm"), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=HERE,
        check=True,
        timeout=600,
    )


def _wait_for_port(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 1.0)
        if ready:
            line = proc.stdout.readline()
            if line.startswith("LISTENING "):
                return line.split()[1]
            if not line and proc.poll() is not None:
                break
    proc.kill()
    raise RuntimeError(f"PGlite did not start (exit code {proc.poll()})")


@pytest.fixture(scope="session")
def pglite_url() -> Iterator[str]:
    """SQLAlchemy URL of a fresh PGlite TimescaleDB database (one connection at a time)."""
    _install()
    proc = subprocess.Popen(
        [_tool("node"), "serve.mjs", "0"],
        cwd=HERE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        address = _wait_for_port(proc)
        # Any password works; PGlite speaks no TLS.
        yield f"postgresql+psycopg://postgres:pglite@{address}/postgres?sslmode=disable"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
