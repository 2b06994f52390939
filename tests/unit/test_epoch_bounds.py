"""The bounds of the API's epoch seconds are written once, in the epoch module.

Two modules once each defined their own ``MAX_EPOCH_S``, with different values;
a bound typed as a literal elsewhere drifts the same way, so none may be.
"""

from __future__ import annotations

import io
import re
import tokenize
from datetime import UTC, datetime
from pathlib import Path

from app.services.series import epoch

APP = Path(__file__).resolve().parents[2] / "app"
BOUNDS = {epoch.OPEN_END_S, epoch.MAX_DATETIME_EPOCH_S}
_DIGITS = re.compile(r"2_?147_?483_?647|253_?402_?300_?799")
#: Not an epoch: the largest value of a 32-bit integer column (a room's occupancy).
INT32_COLUMNS = {"blueprints/rooms/schemas.py"}


def _integer_literals(path: Path) -> set[int]:
    """Integers written in the code (docstrings and comments may name a bound)."""
    text = path.read_text("utf-8")
    if not _DIGITS.search(text):
        return set()  # the quick test: tokenizing every module would take 0.4 s
    source = io.StringIO(text)
    return {
        int(token.string.replace("_", ""))
        for token in tokenize.generate_tokens(source.readline)
        if token.type == tokenize.NUMBER and token.string.replace("_", "").isdigit()
    }


def test_epoch_bounds_are_literals_only_in_the_epoch_module() -> None:
    elsewhere = sorted(
        str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if str(path.relative_to(APP))
        not in {"services/series/epoch.py", *INT32_COLUMNS}
        and _integer_literals(path) & BOUNDS
    )

    assert elsewhere == []


def test_the_open_end_is_managairs_largest_epoch_and_below_the_datetime_limit() -> None:
    assert epoch.OPEN_END_S == epoch.MAX_MANAGAIR_EPOCH_S == 2**31 - 1
    assert epoch.from_epoch(epoch.MAX_DATETIME_EPOCH_S).year == 9999
    assert epoch.OPEN_END_S < epoch.MAX_DATETIME_EPOCH_S


def test_to_epoch_rounds_down_exactly_even_at_the_last_datetime() -> None:
    last = datetime.max.replace(tzinfo=UTC)  # 9999-12-31T23:59:59.999999Z

    assert epoch.to_epoch(last) == epoch.MAX_DATETIME_EPOCH_S
    assert epoch.from_epoch(epoch.to_epoch(last)) == last.replace(microsecond=0)
