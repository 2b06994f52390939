"""Prometheus metrics at ``/metrics``: requests, latency, ingest, jobs, backlogs.

Under gunicorn set ``PROMETHEUS_MULTIPROC_DIR`` (``make run`` and the Docker image do)
so the workers' figures are summed; a jobs process sharing the folder adds its job
runs, one elsewhere serves them on ``JOBS_METRICS_PORT``. Protect the endpoint with ``METRICS_TOKEN``
(``Authorization: Bearer <token>``) or switch it off with ``METRICS_ENABLED=0``.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from flask import Flask, Response, abort, current_app, g, request

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db

REQUESTS = Counter(
    "airq_http_requests_total",
    "HTTP requests by route and status",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "airq_http_request_duration_seconds",
    "HTTP request latency by route",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
INGESTED = Counter(
    "airq_ingest_samples_total", "Ingested samples by outcome", ["outcome"]
)
INGEST_OUTCOMES = ("stored", "duplicate", "conflicting", "rejected")
JOB_RUNS = Counter(
    "airq_job_runs_total", "Scheduled job runs by result", ["job", "result"]
)
# The labelled children each request updates, by (method, route, status): looking
# them up through ``labels()`` validates and locks on every request.
_REQUEST_CHILDREN: dict[tuple[str, str, str], tuple[Any, Any]] = {}
_INGESTED_CHILDREN: dict[str, Any] = {}


#: How far a scrape counts a write log: enough to see it grow, bounded in cost.
LOG_COUNT_CAP = 1_000_000

_BACKLOG = text(
    """
SELECT 'samples_dirty' AS log, CASE WHEN to_regclass('samples_dirty') IS NULL THEN 0
    ELSE (SELECT count(*) FROM (SELECT FROM samples_dirty LIMIT :cap) AS s) END
UNION ALL
SELECT 'alert_dirty', (SELECT count(*) FROM (SELECT FROM alert_dirty LIMIT :cap) AS a)
"""
)


_UNDELIVERED = text(
    "SELECT channel, CASE WHEN parked_at IS NULL THEN 'pending' ELSE 'parked' END, "
    "count(*) FROM alert_notifications WHERE delivered_at IS NULL GROUP BY 1, 2"
)


class DatabaseCollector(Collector):
    """Reads, at scrape time, what only the database knows.

    * ``airq_outbox_entries``: the publisher backlog by state;
    * ``airq_alert_messages``: alert mails and webhook calls not delivered yet, by
      channel and state (``pending``, or ``parked``: given up, see the back office);
    * ``airq_write_log_rows``: rows waiting in the write logs the jobs process
      drains (the rollups' ``samples_dirty``, the alerts' ``alert_dirty``); a
      number that only grows means no jobs process is running;
    * ``airq_job_last_started_timestamp_seconds``: when each job last started,
      whichever jobs process ran it (alert on ``time() - …`` past its interval).
    """

    def collect(self) -> Iterator[GaugeMetricFamily]:
        outbox = GaugeMetricFamily(
            "airq_outbox_entries",
            "Outbox entries by publisher and state",
            labels=["publisher", "state"],
        )
        messages = GaugeMetricFamily(
            "airq_alert_messages",
            "Alert messages not delivered yet by channel and state (pending, parked)",
            labels=["channel", "state"],
        )
        logs = GaugeMetricFamily(
            "airq_write_log_rows",
            f"Rows waiting for the jobs process in each write log (counted up to "
            f"{LOG_COUNT_CAP})",
            labels=["log"],
        )
        started = GaugeMetricFamily(
            "airq_job_last_started_timestamp_seconds",
            "When each scheduled job last started (Unix time)",
            labels=["job"],
        )
        try:
            entries = db.session.execute(
                text(
                    "SELECT publisher, CASE WHEN delivered_at IS NOT NULL THEN 'delivered' "
                    "WHEN parked_at IS NOT NULL THEN 'parked' ELSE 'pending' END AS state, "
                    "count(*) FROM outbox GROUP BY 1, 2"
                )
            ).all()
            undelivered = db.session.execute(_UNDELIVERED).all()
            backlog = db.session.execute(_BACKLOG, {"cap": LOG_COUNT_CAP}).all()
            jobs = db.session.execute(
                text(
                    "SELECT job_id, extract(epoch FROM last_started_at) FROM job_runs "
                    "WHERE last_started_at IS NOT NULL"
                )
            ).all()
        except SQLAlchemyError:
            db.session.rollback()
            entries, undelivered, backlog, jobs = [], [], [], []
        for publisher, state, count in entries:
            outbox.add_metric([publisher, state], count)
        # zeros too: an alerting rule on parked messages needs the series to exist
        counts = {(c, s): 0 for c in ("mail", "webhook") for s in ("pending", "parked")}
        counts.update({(channel, state): n for channel, state, n in undelivered})
        for (channel, state), count in counts.items():
            messages.add_metric([channel, state], count)
        for log, count in backlog:
            logs.add_metric([log], count)
        for job, at in jobs:
            started.add_metric([job], float(at))
        yield outbox
        yield messages
        yield logs
        yield started


def init_metrics(app: Flask) -> None:
    """Time every request and serve ``/metrics`` when enabled."""
    app.before_request(_start_timer)
    app.after_request(_record)
    if app.config["METRICS_ENABLED"]:
        app.add_url_rule("/metrics", "metrics", _metrics, methods=["GET"])


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _record(response: Response) -> Response:
    started = g.get("metrics_started")
    if started is None or request.path == "/metrics":
        return response
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    observe_request(
        request.method, route, response.status_code, time.perf_counter() - started
    )
    return response


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one answered request and its latency."""
    key = (method, route, str(status))
    children = _REQUEST_CHILDREN.get(key)
    if children is None:
        children = (REQUESTS.labels(*key), LATENCY.labels(method, route))
        _REQUEST_CHILDREN[key] = children
    children[0].inc()
    children[1].observe(seconds)


def _metrics() -> Response:
    token = current_app.config["METRICS_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            abort(401)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    body += generate_latest(database)
    return Response(body, mimetype=CONTENT_TYPE_LATEST)


def serve_jobs_metrics(port: int, address: str = "127.0.0.1") -> None:
    """Serve this process's metrics on ``address:port`` (0: not at all).

    For the jobs process when it does not share ``PROMETHEUS_MULTIPROC_DIR``
    with the web process (another host or container); with a shared folder the
    web's ``/metrics`` already includes its job runs.
    """
    if port:
        from prometheus_client import start_http_server

        start_http_server(port, addr=address)


def count_ingested(
    stored: int = 0, duplicate: int = 0, conflicting: int = 0, rejected: int = 0
) -> None:
    """Add one committed ingest request's samples to ``airq_ingest_samples_total``."""
    for outcome, count in zip(
        INGEST_OUTCOMES, (stored, duplicate, conflicting, rejected), strict=True
    ):
        if count:
            child = _INGESTED_CHILDREN.get(outcome)
            if child is None:
                child = _INGESTED_CHILDREN[outcome] = INGESTED.labels(outcome)
            child.inc(count)
