"""Ingest throughput under gunicorn on loopback, against a throwaway migrated database.

(a) batch ingest over HTTP (CSV, 2 concurrent clients) in samples/s, beside a raw
    psycopg ``COPY`` of the same number of rows into the same table, measured in
    the same run (1 and 2 parallel streams);
(b) Managair-compatible single-sample ingest, 4 concurrent keep-alive clients,
    in requests/s.

Every run writes a fresh time range, so each sample is new. Figures are medians of
several runs; client, server and database share this machine's cores.
"""

from __future__ import annotations

import http.client
import json
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import flask_migrate

import psycopg

from app import create_app
from app.extensions import db
from app.services.accounts import tokens
from tests.bench import harness
from tests.support.database import throwaway_database

NODES = 100
STEP_S = 60
BATCH_CLIENTS = 2
SINGLE_CLIENTS = 4
MANAGAIR_SINGLE_PER_S = 135
TARGET_BATCH_PER_S = 100_000
TARGET_RATIO = 0.5
TARGET_SINGLE_PER_S = 1_000
SINGLE_PATH = "/ingest/v1/ingest/"


@dataclass(frozen=True)
class Plan:
    """Sizes of one benchmark session."""

    rows: int
    batch_rows: int
    runs: int
    single_seconds: float

    @classmethod
    def make(cls, quick: bool) -> Plan:
        """The full plan, or a quick smoke-test one."""
        if quick:
            return cls(rows=100_000, batch_rows=25_000, runs=1, single_seconds=3.0)
        return cls(rows=500_000, batch_rows=50_000, runs=3, single_seconds=4.0)


def _prepare(url: str) -> tuple[list[str], str, dict[str, str]]:
    """Migrate the database, add nodes and an ingest token; return ids, key, versions."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        flask_migrate.upgrade()
        session = db.session()
        session.execute(db.text("INSERT INTO organizations (name) VALUES ('bench')"))
        session.execute(db.text("INSERT INTO protocols (identifier) VALUES ('BENCH')"))
        session.execute(
            db.text(
                "INSERT INTO node_models (name, trade_name, manufacturer, sensor_type) "
                "VALUES ('BENCH', 'Bench', 'Bench', 'NDIR')"
            )
        )
        nodes = [str(uuid.uuid4()) for _ in range(NODES)]
        session.execute(
            db.text(
                "INSERT INTO nodes (id, eui64, alias, protocol_id, model_id, owner_id) "
                "SELECT CAST(:id AS uuid), :eui, 'bench', p.id, m.id, o.id "
                "FROM protocols p, node_models m, organizations o"
            ),
            [{"id": n, "eui": f"BE{i:014X}"} for i, n in enumerate(nodes)],
        )
        org = session.execute(db.text("SELECT id FROM organizations")).scalar_one()
        key = tokens.issue_ingest_token(session, org, "bench").key
        versions = {
            "postgresql": session.execute(db.text("SHOW server_version")).scalar_one(),
            "timescaledb": session.execute(
                db.text(
                    "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"
                )
            ).scalar_one(),
        }
        session.commit()
        db.session.remove()
        db.engine.dispose()
    return nodes, key, versions


def _rows(nodes: list[str], rows: int, base_s: int) -> Iterator[tuple[str, int, int]]:
    per_node = rows // len(nodes)
    for j in range(per_node):
        for node in nodes:
            yield node, base_s + j * STEP_S, 400 + j % 1600


def _csv_batches(rows: list[tuple[str, int, int]], batch_rows: int) -> list[bytes]:
    header = "node_id,timestamp_s,co2_ppm,temperature_celsius,rel_humidity_percent\n"
    return [
        (
            header
            + "".join(
                f"{n},{ts},{co2},21.5,45\n" for n, ts, co2 in rows[i : i + batch_rows]
            )
        ).encode()
        for i in range(0, len(rows), batch_rows)
    ]


def _copy_chunks(rows: list[tuple[str, int, int]], chunk_rows: int) -> list[bytes]:
    moments: dict[int, str] = {}

    def line(n: str, ts: int, co2: int) -> str:
        moment = moments.get(ts)
        if moment is None:
            moment = moments[ts] = datetime.fromtimestamp(ts, UTC).isoformat()
        return f"{n}\t{moment}\t{co2}\t21.5\t45\tM\n"

    return [
        "".join(line(*r) for r in rows[i : i + chunk_rows]).encode()
        for i in range(0, len(rows), chunk_rows)
    ]


def _http_batches(port: int, key: str, bodies: list[bytes]) -> float:
    stored: list[int] = []

    def job(_: int, mine: list[bytes]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        headers = {"Authorization": f"Token {key}", "Content-Type": "text/csv"}
        for body in mine:
            conn.request("POST", "/ingest/v1/samples/", body=body, headers=headers)
            response = conn.getresponse()
            doc = json.loads(response.read())
            if response.status != 200 or doc["meta"]["rejected"]:
                raise RuntimeError(f"batch answered {response.status}: {doc}")
            stored.append(doc["meta"]["stored"])
        conn.close()

    elapsed = harness.parallel(bodies, BATCH_CLIENTS, job)
    expected = sum(body.count(b"\n") - 1 for body in bodies)
    if sum(stored) != expected:
        raise RuntimeError(f"stored {sum(stored)} of {expected} samples")
    return elapsed


def _raw_copy(url: str, chunks: list[bytes], streams: int) -> float:
    sql = (
        "COPY samples (node_id, time, co2_ppm, temperature_celsius, "
        "rel_humidity_percent, measurement_status) FROM STDIN"
    )
    connections = [psycopg.connect(harness.libpq(url)) for _ in range(streams)]

    def job(index: int, mine: list[bytes]) -> None:
        conn = connections[index]
        with conn.cursor() as cur, cur.copy(sql) as copy:
            for chunk in mine:
                copy.write(chunk)
        conn.commit()

    try:
        return harness.parallel(chunks, streams, job)
    finally:
        for conn in connections:
            conn.close()


def _bench_batch(
    port: int, url: str, nodes: list[str], key: str, plan: Plan
) -> dict[str, Any]:
    span = (plan.rows // len(nodes)) * STEP_S + 3600
    base = int(time.time()) - 400 * 86400
    http_rates, copy_rates, copy2_rates = [], [], []
    for run in range(plan.runs):
        windows = [base + (3 * run + k) * span for k in range(3)]
        rows = [list(_rows(nodes, plan.rows, w)) for w in windows]
        bodies = _csv_batches(rows[0], plan.batch_rows)
        chunks1 = _copy_chunks(rows[1], 20_000)
        chunks2 = _copy_chunks(rows[2], 20_000)
        http_rates.append(plan.rows / _http_batches(port, key, bodies))
        copy_rates.append(plan.rows / _raw_copy(url, chunks1, 1))
        copy2_rates.append(plan.rows / _raw_copy(url, chunks2, BATCH_CLIENTS))
        print(
            f"    run {run + 1}: http {http_rates[-1]:,.0f}/s, copy {copy_rates[-1]:,.0f}/s, "
            f"copy x{BATCH_CLIENTS} {copy2_rates[-1]:,.0f}/s",
            file=sys.stderr,
            flush=True,
        )
    return {
        "http": statistics.median(http_rates),
        "copy": statistics.median(copy_rates),
        "copy_parallel": statistics.median(copy2_rates),
        "runs": [
            {"http": h, "copy": c, "copy_parallel": c2}
            for h, c, c2 in zip(http_rates, copy_rates, copy2_rates, strict=True)
        ],
    }


def _sample_body(node: str, ts: int) -> bytes:
    return json.dumps(
        {
            "data": {
                "type": "Sample",
                "attributes": {
                    "timestamp_s": ts,
                    "co2_ppm": 400 + ts % 1000,
                    "temperature_celsius": 21.5,
                    "rel_humidity_percent": 45,
                },
                "relationships": {"node": {"data": {"type": "Node", "id": node}}},
            }
        }
    ).encode()


def _single_run(
    port: int,
    key: str,
    nodes: list[str],
    base: int,
    seconds: float,
    lean: bool = True,
) -> tuple[float, float]:
    """Post new samples from one keep-alive client per node for ``seconds``.

    Returns:
        Requests per second, and the clients' own CPU milliseconds per request.
    """
    counts = [0] * SINGLE_CLIENTS
    headers = {
        "Authorization": f"Token {key}",
        "Content-Type": "application/vnd.api+json",
    }
    deadline = time.perf_counter() + seconds

    def lean_job(index: int, _: list[Any]) -> None:
        client = harness.KeepAliveClient(port)
        ts = base
        while time.perf_counter() < deadline:
            body = _sample_body(nodes[index], ts)
            status, _answer = client.request("POST", SINGLE_PATH, headers, body)
            if status != 201:
                raise RuntimeError(f"single ingest answered {status}")
            counts[index] += 1
            ts += STEP_S
        client.close()

    def http_client_job(index: int, _: list[Any]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        ts = base
        while time.perf_counter() < deadline:
            body = _sample_body(nodes[index], ts)
            conn.request("POST", SINGLE_PATH, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                raise RuntimeError(f"single ingest answered {response.status}")
            counts[index] += 1
            ts += STEP_S
        conn.close()

    cpu = time.process_time()
    job = lean_job if lean else http_client_job
    elapsed = harness.parallel(list(range(SINGLE_CLIENTS)), SINGLE_CLIENTS, job)
    done = sum(counts)
    return done / elapsed, (time.process_time() - cpu) / max(done, 1) * 1000


def _healthz_run(port: int, seconds: float) -> float:
    """Requests/s of ``GET /healthz`` (no database): the HTTP layer's ceiling here."""
    counts = [0] * SINGLE_CLIENTS
    deadline = time.perf_counter() + seconds

    def job(index: int, _: list[Any]) -> None:
        client = harness.KeepAliveClient(port)
        while time.perf_counter() < deadline:
            client.request("GET", "/healthz", {})
            counts[index] += 1
        client.close()

    elapsed = harness.parallel(list(range(SINGLE_CLIENTS)), SINGLE_CLIENTS, job)
    return sum(counts) / elapsed


def _bench_single(port: int, nodes: list[str], key: str, plan: Plan) -> dict[str, Any]:
    base = int(time.time()) - 30 * 86400
    _single_run(port, key, nodes[-SINGLE_CLIENTS:], base, 0.5)  # warm up every worker
    rates, cpus, plain, plain_cpus, ceilings = [], [], [], [], []
    for run in range(plan.runs):
        first = 2 * run * SINGLE_CLIENTS
        clients = nodes[first : first + SINGLE_CLIENTS]
        rate, cpu = _single_run(port, key, clients, base, plan.single_seconds)
        rates.append(rate)
        cpus.append(cpu)
        others = nodes[first + SINGLE_CLIENTS : first + 2 * SINGLE_CLIENTS]
        rate, cpu = _single_run(port, key, others, base, plan.single_seconds, False)
        plain.append(rate)
        plain_cpus.append(cpu)
        ceilings.append(_healthz_run(port, plan.single_seconds / 2))
        print(
            f"    run {run + 1}: single {rates[-1]:,.0f} requests/s "
            f"(http.client clients {plain[-1]:,.0f}/s; "
            f"GET /healthz {ceilings[-1]:,.0f}/s)",
            file=sys.stderr,
            flush=True,
        )
    return {
        "median": statistics.median(rates),
        "client_cpu_ms": statistics.median(cpus),
        "http_client": statistics.median(plain),
        "http_client_cpu_ms": statistics.median(plain_cpus),
        "healthz": statistics.median(ceilings),
        "runs": rates,
        "http_client_runs": plain,
        "healthz_runs": ceilings,
    }


def run(report: dict[str, Any], quick: bool) -> None:
    """Measure batch and single-sample ingest; add ``report["ingest"]``."""
    plan = Plan.make(quick)
    with throwaway_database(prefix="co2_bench") as url:
        nodes, key, versions = _prepare(url)
        with harness.serve(url) as port:
            batch = _bench_batch(port, url, nodes, key, plan)
            single = _bench_single(port, nodes, key, plan)
    ratio = batch["http"] / batch["copy"]
    ratio_parallel = batch["http"] / batch["copy_parallel"]
    report["ingest"] = {
        "figures": [
            {
                "name": "batch over HTTP (CSV)",
                "value": round(batch["http"]),
                "unit": "samples/s",
                "target": f">= {TARGET_BATCH_PER_S:,}",
                "met": batch["http"] >= TARGET_BATCH_PER_S,
                "reference": f"Managair: none; ~{MANAGAIR_SINGLE_PER_S}/s one by one",
            },
            {
                "name": "raw COPY, 1 stream",
                "value": round(batch["copy"]),
                "unit": "samples/s",
            },
            {
                "name": f"raw COPY, {BATCH_CLIENTS} streams",
                "value": round(batch["copy_parallel"]),
                "unit": "samples/s",
            },
            {
                "name": "batch / COPY (1 stream)",
                "value": round(ratio, 2),
                "unit": "ratio",
                "target": f">= {TARGET_RATIO}",
                "met": ratio >= TARGET_RATIO,
            },
            {
                "name": f"batch / COPY ({BATCH_CLIENTS} streams)",
                "value": round(ratio_parallel, 2),
                "unit": "ratio",
                "target": f">= {TARGET_RATIO}",
                "met": ratio_parallel >= TARGET_RATIO,
            },
            {
                "name": f"single-sample ingest, {SINGLE_CLIENTS} clients",
                "value": round(single["median"]),
                "unit": "requests/s",
                "target": f">= {TARGET_SINGLE_PER_S:,}",
                "met": single["median"] >= TARGET_SINGLE_PER_S,
                "reference": f"Managair ~{MANAGAIR_SINGLE_PER_S}/s",
            },
            {
                "name": "  client CPU per request (raw keep-alive sockets)",
                "value": round(single["client_cpu_ms"], 3),
                "unit": "ms",
            },
            {
                "name": f"single-sample ingest, {SINGLE_CLIENTS} http.client clients",
                "value": round(single["http_client"]),
                "unit": "requests/s",
                "reference": "same server; Python's http.client costs the shared "
                "cores more",
            },
            {
                "name": "  client CPU per request (http.client)",
                "value": round(single["http_client_cpu_ms"], 3),
                "unit": "ms",
            },
            {
                "name": f"GET /healthz, {SINGLE_CLIENTS} clients (HTTP ceiling)",
                "value": round(single["healthz"]),
                "unit": "requests/s",
            },
        ],
        "setup": {
            "samples_per_run": plan.rows,
            "batch_rows": plan.batch_rows,
            "batch_clients": BATCH_CLIENTS,
            "single_clients": SINGLE_CLIENTS,
            "single_seconds_per_run": plan.single_seconds,
            "runs": plan.runs,
            "server": harness.server_description(),
            **versions,
        },
        "batch_runs": batch["runs"],
        "single_runs": single["runs"],
        "single_http_client_runs": single["http_client_runs"],
        "healthz_runs": single["healthz_runs"],
    }
