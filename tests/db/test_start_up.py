"""The application starts from its environment: a missing secret stops it, flags shape it.

These build the real application (one in a child process), which takes about a
second each, so they live here rather than in the fast unit tier.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk

from app import create_app

ROOT = Path(__file__).resolve().parents[2]


def test_start_up_without_secret_key_prints_one_line_and_exits() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECRET_KEY")}

    proc = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )

    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "configuration error: SECRET_KEY is not set; set SECRET_KEY or SECRET_KEY_FILE"
    ]


def test_pgbouncer_mode_disables_server_side_prepared_statements(
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("DB_PGBOUNCER", "1")
    app = create_app()

    assert (
        app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["prepare_threshold"]
        is None
    )


def test_sentry_is_initialised_when_enabled(monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.setenv("SENTRY", "1")
    monkeypatch.setenv("SENTRY_URL", "http://public@127.0.0.1:9/1")
    try:
        create_app()
        client = sentry_sdk.get_client()

        assert client.is_active()
        assert client.dsn == "http://public@127.0.0.1:9/1"
    finally:
        sentry_sdk.init(dsn=None)


def test_building_the_app_imports_neither_alembic_nor_the_commands() -> None:
    """The web, job and publisher processes never migrate: Alembic (a third of
    the start-up) and each command group are imported by the command that runs."""
    code = (
        "import sys; from app import create_app; create_app(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('alembic', 'flask_migrate', 'mako') or m.startswith('app.cli.')))"
    )

    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "SECRET_KEY": "k"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=True,
    )

    assert proc.stdout.strip() == "['app.cli.deferred']", proc.stderr
