"""Run every ``tests/bench/bench_*.py`` and write one JSON report.

    python -m tests.bench --report bench-report.json [--only NAME] [--quick]

Each module exposes ``run(report: dict, quick: bool) -> None`` and adds its figures
under its own key (``report["ingest"]``, ``report["series"]``, ...). A section may
hold ``"figures"``: a list of ``{"name", "value", "unit", "target"?, "reference"?,
"met"?}`` (``target`` a text such as ``">= 1000"``, ``met`` a boolean), which the
table shows as columns; anything else in a section is printed flattened. A module
that raises is recorded under its key as ``{"error": ...}``, the others still run,
and the exit status is 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import signal
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PACKAGE = "tests.bench"
PREFIX = "bench_"
META_KEYS = ("machine", "timestamp", "quick", "duration_s")


def machine() -> dict[str, Any]:
    """Describe the machine: CPU, memory, load (other work skews every figure)."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        first = meminfo.read_text(encoding="utf-8").splitlines()[0]
        info["memory_kib"] = int(first.split()[1])
    return info


def modules(only: str | None) -> list[str]:
    """Return the benchmark module names, optionally only the one named."""
    package = importlib.import_module(PACKAGE)
    names = sorted(
        m.name
        for m in pkgutil.iter_modules(package.__path__)
        if m.name.startswith(PREFIX)
    )
    if only:
        wanted = only if only.startswith(PREFIX) else PREFIX + only
        names = [n for n in names if n == wanted]
    return names


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 100 else f"{value:.3g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)


def _flatten(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        rows: list[tuple[str, str]] = []
        for key, item in value.items():
            rows += _flatten(f"{prefix}.{key}" if prefix else str(key), item)
        return rows
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return []  # lists of records (runs, figures) are for the JSON report
    return [(prefix, _cell(value))]


def table(report: dict[str, Any]) -> str:
    """Render the report as a plain-text table."""
    lines = [
        f"benchmarks at {report['timestamp']} "
        f"({'quick' if report['quick'] else 'full'}), "
        f"load average before {report['machine']['load_average']}"
    ]
    header = ("figure", "value", "unit", "target", "met", "reference")
    for key, section in report.items():
        if key in META_KEYS:
            continue
        lines += ["", f"== {key}"]
        if not isinstance(section, dict):
            lines.append(f"  {_cell(section)}")
            continue
        figures = section.get("figures", [])
        if figures:
            rows = [header] + [
                tuple(
                    _cell(f.get(name))
                    if name != "met" or "met" not in f
                    else ("yes" if f["met"] else "NO")
                    for name in ("name", "value", "unit", "target", "met", "reference")
                )
                for f in figures
            ]
            widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
            lines += [
                "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))
                for r in rows
            ]
        rest = {k: v for k, v in section.items() if k != "figures"}
        lines += [f"  {name} = {value}" for name, value in _flatten("", rest)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--report",
        type=Path,
        default=Path("bench-report.json"),
        help="where to write the JSON report",
    )
    parser.add_argument("--only", help="run only this benchmark (e.g. ingest)")
    parser.add_argument(
        "--quick", action="store_true", help="fewer and smaller runs (smoke test)"
    )
    args = parser.parse_args(argv)
    # `kill` must run the benchmarks' clean-up (their `finally` blocks stop the
    # gunicorn servers and drop the scratch databases); Python's default SIGTERM
    # handling would exit without it and leave both behind.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-not-for-production")
    report: dict[str, Any] = {
        "machine": machine(),
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
    }
    names = modules(args.only)
    if not names:
        print(f"no benchmark matches {args.only!r}", file=sys.stderr)
        return 2
    failed = False
    started = time.perf_counter()
    for name in names:
        print(f"--> {name}", file=sys.stderr, flush=True)
        try:
            importlib.import_module(f"{PACKAGE}.{name}").run(report, args.quick)
        except Exception as exc:  # one broken benchmark must not hide the others
            failed = True
            traceback.print_exc()
            report[name.removeprefix(PREFIX)] = {
                "error": f"{type(exc).__name__}: {exc}"
            }
    report["duration_s"] = round(time.perf_counter() - started, 1)
    args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(report))
    print(f"\nreport written to {args.report}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
