"""Import from a Managair database: samples/s end to end against a raw ``COPY``.

A generated Managair database (``tests/support/managair_source.py``: 100 nodes,
10,000 samples each, 1M in all; quick: 1,000 each) is imported into a migrated
throwaway database by ``flask import managair --from-db`` in a child process, as
an operator runs it; the figure is the samples stage as the command reports it
(samples stored / seconds), and the whole command's wall time. The references
are raw ``COPY`` of the same rows from the source straight into ``samples`` of the
same database (emptied first), one stream, no checks: in text format (what the
target was first set against) and in binary format (what the import copies).
Other work on the machine skews every figure: the load average is reported.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from typing import Any

import psycopg

from tests.bench import harness
from tests.support.database import migrated_database
from tests.support.managair_source import managair_database

TARGET_PER_S = 100_000
FULL_PER_NODE = 10_000
QUICK_PER_NODE = 1_000
_RATE = re.compile(r"core\.sample: (\d+) samples stored \(\d+ replaced\) in ([\d.]+) s")
_RAW_OUT = (
    "COPY (SELECT node_id, to_timestamp(timestamp_s), co2_ppm, temperature_celsius,"
    " rel_humidity_percent, measurement_status::text FROM core_sample) TO STDOUT"
)
_RAW_IN = (
    "COPY samples (node_id, time, co2_ppm, temperature_celsius,"
    " rel_humidity_percent, measurement_status) FROM STDIN"
)
_BINARY = " (FORMAT binary)"


def _import(source: str, target: str) -> tuple[int, float, float]:
    """Run the command; returns (samples stored, samples stage s, wall s)."""
    env = dict(
        os.environ,
        DATABASE_URL=target,
        MANAGAIR_DATABASE_URL=source,
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-secret-key-not-for-production"),
        LOG_LEVEL="WARNING",
    )
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "flask", "import", "managair"],
        env=env,
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - started
    match = _RATE.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"import failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")
    return int(match[1]), float(match[2]), wall


def _raw_copy(source: str, target: str, binary: bool = False) -> float:
    """Copy the same rows source -> samples directly; returns seconds.

    ``binary``: in PostgreSQL's binary format (as the import copies), else text.
    """
    fmt = _BINARY if binary else ""
    with (
        psycopg.connect(source) as src,
        psycopg.connect(harness.libpq(target)) as dst,
    ):
        dst.execute("TRUNCATE samples")
        dst.commit()
        started = time.monotonic()
        with (
            src.cursor() as out_cur,
            out_cur.copy(_RAW_OUT + fmt) as out,
            dst.cursor() as in_cur,
            in_cur.copy(_RAW_IN + fmt) as into,
        ):
            for block in out:
                into.write(block)
        dst.commit()
        return time.monotonic() - started


def run(report: dict[str, Any], quick: bool) -> None:
    """Measure the import from Managair's database; add ``report["import"]``."""
    per_node = QUICK_PER_NODE if quick else FULL_PER_NODE
    with managair_database(per_node) as source, migrated_database("co2_bench") as url:
        stored, seconds, wall = _import(source, url)
        raw = _raw_copy(source, url)
        raw_binary = _raw_copy(source, url, binary=True)
    rate = stored / seconds
    raw_rate = stored / raw
    binary_rate = stored / raw_binary
    load = os.getloadavg()
    print(
        f"    import: {stored:,} samples in {seconds:.1f} s ({rate:,.0f}/s), "
        f"command {wall:.1f} s; raw COPY {raw:.1f} s ({raw_rate:,.0f}/s), binary"
        f" {raw_binary:.1f} s ({binary_rate:,.0f}/s); load {load[0]:.1f}",
        file=sys.stderr,
        flush=True,
    )
    report["import"] = {
        "figures": [
            {
                "name": f"import samples from Managair's database ({stored:,})",
                "value": round(rate),
                "unit": "samples/s",
                "target": f">= {TARGET_PER_S:,}",
                "met": rate >= TARGET_PER_S,
                "reference": f"raw COPY {round(raw_rate):,}/s",
            },
            {
                "name": "raw COPY of the same rows",
                "value": round(raw_rate),
                "unit": "samples/s",
            },
            {
                "name": "raw binary COPY of the same rows",
                "value": round(binary_rate),
                "unit": "samples/s",
            },
            {"name": "load average after", "value": round(load[0], 2), "unit": ""},
            {"name": "whole command, wall time", "value": round(wall, 1), "unit": "s"},
            {
                "name": "import / raw COPY",
                "value": round(rate / raw_rate, 2),
                "unit": "ratio",
            },
        ],
    }
