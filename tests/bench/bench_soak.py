"""Soak: ten minutes of mixed load on gunicorn with the jobs process beside it.

``run(report, quick)`` migrates a throwaway database, seeds one organization
(nodes installed publicly in rooms, an ingest token, an owner's API key), starts
gunicorn (2 workers, production settings) and ``flask jobs run`` on loopback, and runs
client threads for :data:`DURATION_S` seconds (quick: a tenth): batch ingest,
single-sample ingest, series reads and list reads, each paced and capped.

Reported: requests and p50/p95/max latency per kind, the error rate (must be 0),
web worker RSS after warm-up and at the end (growth must stay within 10 %), and
samples accepted against samples stored (must be equal: nothing lost). Run alone
with ``python -m tests.bench.bench_soak [--quick]``.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import flask_migrate

from sqlalchemy import text

from app import create_app
from app.db import transaction
from app.extensions import db
from app.models import Role
from app.services.accounts.tokens import issue_ingest_token, issue_user_key
from tests.factories import make_membership, make_organization, make_user
from tests.support.database import throwaway_database
from tests.support.servers import Process, WebServer, app_env, request, rss_kib
from tests.support.worlds import installed_room

DURATION_S = 600
WARMUP_S = 60
NODES = 20
BATCH_SIZE = 200
MAX_RSS_GROWTH = 0.10
#: kind -> (client threads, pause between a thread's requests in seconds)
CLIENTS = {
    "batch": (1, 0.5),
    "single": (2, 0.02),
    "series": (1, 0.05),
    "list": (1, 0.1),
}
#: No client sends more than this many requests, whatever the duration.
MAX_REQUESTS_PER_CLIENT = 50_000
START_S = 1_700_000_000  # 2023-11-14: every sample is in the past


@dataclass(frozen=True)
class World:
    """What the clients need: node ids, one installation, credentials."""

    nodes: list[str]
    installation_id: int
    ingest_headers: dict[str, str]
    user_headers: dict[str, str]


@dataclass
class Tally:
    """One kind's figures, shared by its client threads."""

    latencies_s: list[float] = field(default_factory=list)
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)
    accepted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self, elapsed_s: float, error: str | None = None, accepted: int = 0
    ) -> None:
        with self.lock:
            self.latencies_s.append(elapsed_s)
            self.accepted += accepted
            if error is not None:
                self.errors += 1
                if len(self.first_errors) < 5:
                    self.first_errors.append(error)


def _seed(url: str) -> World:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
        with transaction() as session:
            owner, org = make_user(session), make_organization(session)
            make_membership(session, owner, org, Role.OWNER)
            rooms = [installed_room(session, org) for _ in range(NODES)]
            nodes = [str(room.node.id) for room in rooms]
            installation_id = rooms[-1].installation.id
            ingest = issue_ingest_token(session, org.id, name="soak").key
            key = issue_user_key(session, owner, name="soak").key
        db.session.remove()
        db.engine.dispose()
    return World(
        nodes,
        installation_id,
        {"Authorization": f"Token {ingest}"},
        {"Authorization": f"Token {key}"},
    )


class Clock:
    """Hands out sample times: every (node, time) pair once, so none collide."""

    def __init__(self) -> None:
        self._next = itertools.count(START_S, 1)
        self._lock = threading.Lock()

    def take(self, n: int) -> int:
        with self._lock:
            first = next(self._next)
            for _ in range(n - 1):
                next(self._next)
            return first


def _sample(node: str, timestamp_s: int) -> dict[str, Any]:
    return {
        "node_id": node,
        "timestamp_s": timestamp_s,
        "co2_ppm": 400 + timestamp_s % 1200,
        "temperature_celsius": 21.5,
        "rel_humidity_percent": 45,
    }


def _batch(port: int, world: World, clock: Clock, tally: Tally, n: int) -> None:
    first = clock.take(BATCH_SIZE)
    body = [_sample(world.nodes[i % NODES], first + i) for i in range(BATCH_SIZE)]
    answer = request(
        port,
        "POST",
        "/ingest/v1/samples/",
        json.dumps(body).encode(),
        {**world.ingest_headers, "Content-Type": "application/json"},
    )
    meta = (answer.body or {}).get("meta", {}) if isinstance(answer.body, dict) else {}
    stored = int(meta.get("stored", 0))
    ok = answer.status == 200 and stored == BATCH_SIZE
    tally.add(
        answer.elapsed_s,
        None if ok else f"{answer.status}: {str(answer.body)[:200]}",
        stored,
    )


def _single(port: int, world: World, clock: Clock, tally: Tally, n: int) -> None:
    timestamp = clock.take(1)
    node = world.nodes[n % NODES]
    document = {
        "data": {
            "type": "Sample",
            "attributes": {
                "timestamp_s": timestamp,
                "co2_ppm": 800,
                "temperature_celsius": 21.5,
                "rel_humidity_percent": 45,
            },
            "relationships": {"node": {"data": {"type": "Node", "id": node}}},
        }
    }
    answer = request(port, "POST", "/ingest/v1/ingest/", document, world.ingest_headers)
    ok = answer.status == 201
    tally.add(
        answer.elapsed_s,
        None if ok else f"{answer.status}: {str(answer.body)[:200]}",
        1 if ok else 0,
    )


def _series(port: int, world: World, clock: Clock, tally: Tally, n: int) -> None:
    node = world.nodes[n % NODES]
    resolution = ("10m", "1h", "1d", "auto")[n % 4]
    path = (
        f"/api/v1/nodes/{node}/series/?filter[from]={START_S}"
        f"&filter[to]={START_S + 86_400 * 7}&resolution={resolution}&max_points=500"
    )
    answer = request(port, "GET", path, headers=world.user_headers)
    ok = answer.status == 200
    tally.add(
        answer.elapsed_s, None if ok else f"{answer.status}: {str(answer.body)[:200]}"
    )


def _list(port: int, world: World, clock: Clock, tally: Tally, n: int) -> None:
    path = ("/api/v1/installations/", "/api/v1/nodes/", "/api/v1/sites/")[n % 3]
    answer = request(port, "GET", path + "?page[size]=20", headers=world.user_headers)
    ok = answer.status == 200
    tally.add(
        answer.elapsed_s, None if ok else f"{answer.status}: {str(answer.body)[:200]}"
    )


KINDS: dict[str, Callable[[int, World, Clock, Tally, int], None]] = {
    "batch": _batch,
    "single": _single,
    "series": _series,
    "list": _list,
}


def _client(
    kind: str,
    port: int,
    world: World,
    clock: Clock,
    tally: Tally,
    stop: threading.Event,
) -> None:
    pause = CLIENTS[kind][1]
    for n in range(MAX_REQUESTS_PER_CLIENT):
        if stop.is_set():
            return
        try:
            KINDS[kind](port, world, clock, tally, n)
        except OSError as exc:
            tally.add(0.0, f"{type(exc).__name__}: {exc}")
        stop.wait(pause)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _figures(tallies: dict[str, Tally]) -> dict[str, Any]:
    kinds = {}
    for kind, tally in tallies.items():
        ms = [s * 1000 for s in tally.latencies_s]
        kinds[kind] = {
            "requests": len(ms),
            "errors": tally.errors,
            "p50_ms": round(statistics.median(ms), 1) if ms else 0.0,
            "p95_ms": round(_percentile(ms, 0.95), 1),
            "max_ms": round(max(ms), 1) if ms else 0.0,
            "first_errors": tally.first_errors,
        }
    return kinds


def _rss(web: WebServer) -> int:
    return sum(rss_kib(pid) for pid in web.worker_pids())


def _stored(url: str) -> int:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        count = int(
            db.session.execute(text("SELECT count(*) FROM samples")).scalar_one()
        )
        db.session.remove()
        db.engine.dispose()
    return count


def run(report: dict[str, Any], quick: bool) -> None:
    """Soak the stack and add ``report["soak"]``.

    Args:
        report: the benchmark report.
        quick: one minute instead of ten (warm-up 6 s instead of 60 s).
    """
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    duration_s = DURATION_S // 10 if quick else DURATION_S
    warmup_s = WARMUP_S // 10 if quick else WARMUP_S
    with (
        throwaway_database("co2_bench_soak") as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        world = _seed(url)
        metrics_dir = Path(tmp) / "prometheus"
        metrics_dir.mkdir()
        env = app_env(
            url,
            PROMETHEUS_MULTIPROC_DIR=str(metrics_dir),
            INGEST_AUTH="token",
            IOTDP_INTEGRATION="0",
            NODE_FIDELITY="1",
            NODE_FIDELITY_INTERVAL_S="10",
            AGGREGATES_REFRESH_INTERVAL_S="10",
            RETENTION_INTERVAL_S="60",
        )
        jobs = Process(
            [sys.executable, "-m", "flask", "jobs", "run"], env, Path(tmp) / "jobs.log"
        )
        web = WebServer(env, Path(tmp) / "web.log", workers=2)
        tallies = {kind: Tally() for kind in KINDS}
        stop, clock = threading.Event(), Clock()
        threads = [
            threading.Thread(
                target=_client, args=(kind, web.port, world, clock, tallies[kind], stop)
            )
            for kind, (count, _pause) in CLIENTS.items()
            for _ in range(count)
        ]
        started = time.monotonic()
        try:
            for thread in threads:
                thread.start()
            stop.wait(warmup_s)
            rss_warm = _rss(web)
            stop.wait(max(0.0, duration_s - (time.monotonic() - started)))
            rss_end = _rss(web)
        finally:
            stop.set()
            for thread in threads:
                thread.join(60)
            jobs_alive = jobs.alive()
            web_alive = web.alive()
            web.stop()
            jobs.stop()
        tracebacks = {
            "web": web.text().count("Traceback"),
            "jobs": jobs.text().count("Traceback"),
        }
        elapsed = time.monotonic() - started
        stored = _stored(url)
    accepted = tallies["batch"].accepted + tallies["single"].accepted
    requests = sum(len(t.latencies_s) for t in tallies.values())
    errors = sum(t.errors for t in tallies.values())
    growth = (rss_end - rss_warm) / rss_warm if rss_warm else 0.0
    report["soak"] = {
        "what": f"{elapsed:.0f} s of mixed load on gunicorn (2 workers) "
        "with the jobs process: batch ingest, single ingest, series and list reads",
        "kinds": _figures(tallies),
        "samples_accepted": accepted,
        "samples_stored": stored,
        "rss_kib_after_warmup": rss_warm,
        "rss_kib_at_end": rss_end,
        "processes_alive_at_end": {"web": web_alive, "jobs": jobs_alive},
        "tracebacks_in_logs": tracebacks,
        "figures": [
            {
                "name": "error rate",
                "value": errors / requests if requests else 1.0,
                "unit": "",
                "target": "== 0",
                "met": errors == 0 and requests > 0,
            },
            {
                "name": "tracebacks in the web and jobs logs",
                "value": sum(tracebacks.values()),
                "unit": "",
                "target": "== 0",
                "met": not any(tracebacks.values()),
            },
            {
                "name": "samples lost",
                "value": accepted - stored,
                "unit": "",
                "target": "== 0",
                "met": accepted == stored,
            },
            {
                "name": "web worker RSS growth after warm-up",
                "value": round(100 * growth, 1),
                "unit": "%",
                "target": "<= 10",
                "met": growth <= MAX_RSS_GROWTH,
            },
            *(
                {"name": f"p95 {kind}", "value": figures["p95_ms"], "unit": "ms"}
                for kind, figures in _figures(tallies).items()
            ),
        ],
    }


if __name__ == "__main__":
    result: dict[str, Any] = {}
    run(result, quick="--quick" in sys.argv[1:])
    print(json.dumps(result, indent=2))
