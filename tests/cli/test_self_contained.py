"""The repository carries everything it needs: no file points outside of it.

A clone alone must build and pass its tests, so no tracked file may name the
reference material that sits beside the working copy where it was written.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.support.servers import ROOT

# written so that this file does not match itself
OUTSIDE = re.compile(r"\.\./shared\b|/work/\w|\bshared/(?:fixtures|reference|design)\b")


def _tracked_files() -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git working copy")
    return [name for name in listed.stdout.decode().split("\0") if name]


def test_no_tracked_file_refers_outside_the_repository() -> None:
    offending = []
    for name in _tracked_files():
        try:
            text = (ROOT / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError):
            continue  # binary, or deleted in the working copy
        offending += [
            f"{name}:{n}"
            for n, line in enumerate(text.splitlines(), 1)
            if OUTSIDE.search(line)
        ]

    assert offending == []
