"""gunicorn.conf.py's hooks."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


def test_worker_freezes_the_loaded_app_out_of_full_collections() -> None:
    hooks = runpy.run_path(str(CONF))
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        hooks["post_worker_init"](object())

        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
