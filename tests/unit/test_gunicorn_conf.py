"""gunicorn.conf.py: the worker class and the hooks."""

from __future__ import annotations

import gc
import logging
import re
import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_worker_freezes_the_loaded_app_out_of_full_collections() -> None:
    hooks = runpy.run_path(str(CONF))
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    threshold = gc.get_threshold()
    try:
        hooks["post_worker_init"](object())

        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_worker_collects_young_objects_rarely() -> None:
    hooks = runpy.run_path(str(CONF))
    threshold = gc.get_threshold()
    try:
        hooks["post_worker_init"](object())

        assert gc.get_threshold() == (50_000, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_access_lines_are_built_only_when_the_level_keeps_them() -> None:
    from gunicorn.config import Config  # type: ignore[import-untyped]

    conf = runpy.run_path(str(CONF))
    config = Config()
    config.set("accesslog", "-")
    logger = conf["logger_class"](config)
    access = logging.getLogger("gunicorn.access")
    before = access.level
    try:
        access.setLevel(logging.WARNING)
        logger.access(None, None, {}, None)  # dropped before any atom is read

        access.setLevel(logging.INFO)
        with pytest.raises(AttributeError):  # gunicorn reads the (missing) response
            logger.access(None, None, {}, None)
    finally:
        access.setLevel(before)


def test_workers_are_gevent_workers_unless_the_environment_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WEB_WORKER_CLASS", raising=False)
    monkeypatch.delenv("WEB_WORKER_CONNECTIONS", raising=False)
    default = runpy.run_path(str(CONF))
    monkeypatch.setenv("WEB_WORKER_CLASS", "gthread")
    monkeypatch.setenv("WEB_THREADS", "8")
    fallback = runpy.run_path(str(CONF))

    assert (default["worker_class"], default["worker_connections"]) == ("gevent", 1000)
    assert (fallback["worker_class"], fallback["threads"]) == ("gthread", 8)


def test_every_variable_gunicorn_reads_is_in_the_readme_table() -> None:
    names = set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', CONF.read_text()))
    rows = [
        line
        for line in (CONF.parent / "README.md").read_text().splitlines()
        if line.startswith("| `")
    ]

    assert {"WEB_WORKER_CLASS", "BIND"} <= names
    assert sorted(n for n in names if not any(f"`{n}`" in r for r in rows)) == []
