"""sql/timescale keeps each function, trigger and view in one place.

``versions/`` holds table changes, applied once by the revision of the same
number; ``definitions/`` holds the current definition of each function, trigger
and view, re-applied with CREATE OR REPLACE by the revision that changes it. Two
definitions of one name (as ``series_watermark`` once had three) would leave the
database with whichever file ran last.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"
DEFINITION = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|TRIGGER|VIEW|MATERIALIZED\s+VIEW)"
    r"\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.]+)",
    re.IGNORECASE,
)
#: What only ``versions/`` may do: tables, schemas and hypertables change once.
TABLE_CHANGE = re.compile(
    r"CREATE\s+(TABLE|SCHEMA)|ALTER\s+TABLE|create_hypertable", re.IGNORECASE
)


def _definitions(folder: str) -> list[tuple[str, str]]:
    """(file, "KIND name") of each definition: a trigger may share its function's name."""
    found = []
    for path in sorted((SQL / folder).glob("*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        found += [
            (path.name, f"{' '.join(kind.upper().split())} {name.lower()}")
            for kind, name in DEFINITION.findall(text)
        ]
    return found


def test_every_sql_file_is_versioned_or_a_definition() -> None:
    assert sorted(p.parent.name for p in SQL.rglob("*.sql")) == sorted(
        ["versions"] * len(list((SQL / "versions").glob("*.sql")))
        + ["definitions"] * len(list((SQL / "definitions").glob("*.sql")))
    )


def test_each_function_trigger_and_view_is_defined_once() -> None:
    names = Counter(
        name for _, name in _definitions("versions") + _definitions("definitions")
    )

    assert [name for name, count in names.items() if count > 1] == []


def test_functions_and_views_live_in_definitions() -> None:
    # Continuous aggregates hold data: they are created once, like tables.
    misplaced = [
        (file, name)
        for file, name in _definitions("versions")
        if not name.startswith("MATERIALIZED VIEW samples_")
    ]

    assert misplaced == []


def test_definitions_change_no_table() -> None:
    changes = [
        path.name
        for path in (SQL / "definitions").glob("*.sql")
        if TABLE_CHANGE.search(re.sub(r"--[^\n]*", "", path.read_text("utf-8")))
    ]

    assert changes == []
