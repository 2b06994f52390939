"""The ``make bench`` runner: finds the benchmark modules and prints the table."""

from __future__ import annotations

from typing import Any

from tests.bench.__main__ import modules, table


def test_modules_finds_bench_files_and_filters_by_name() -> None:
    assert "bench_ingest" in modules(None)
    assert modules("ingest") == ["bench_ingest"]
    assert modules("nothing-like-this") == []


def test_table_shows_figures_with_targets_and_flattens_the_rest() -> None:
    report: dict[str, Any] = {
        "machine": {"load_average": [0.1, 0.2, 0.3]},
        "timestamp": "2026-01-01T00:00:00+00:00",
        "quick": True,
        "ingest": {
            "figures": [
                {
                    "name": "single",
                    "value": 1234.0,
                    "unit": "requests/s",
                    "target": ">= 1,000",
                    "met": True,
                },
                {
                    "name": "batch",
                    "value": 90_000,
                    "unit": "samples/s",
                    "target": ">= 100,000",
                    "met": False,
                },
            ],
            "setup": {"runs": 3},
        },
    }

    text = table(report)

    assert "single" in text
    assert "1,234.0" in text
    assert "yes" in text
    assert "NO" in text
    assert "setup.runs = 3" in text
