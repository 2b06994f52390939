"""Where the shared reference material lives, from any checkout or worktree."""

from __future__ import annotations

import os
from pathlib import Path

_RELATIVE = Path("shared") / "fixtures" / "managair"


def managair_fixtures() -> Path:
    """Return the directory of Managair's demo fixtures.

    ``MANAGAIR_FIXTURES`` wins; otherwise the first ``shared/fixtures/managair``
    found walking up from this file (a checkout at ``/work/main`` and a worktree
    at ``/work/wt/<name>`` both find ``/work/shared``).

    Raises:
        FileNotFoundError: no such directory anywhere above.
    """
    configured = os.environ.get("MANAGAIR_FIXTURES")
    if configured:
        return Path(configured)
    for parent in Path(__file__).resolve().parents:
        candidate = parent / _RELATIVE
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no {_RELATIVE} above {__file__}")
