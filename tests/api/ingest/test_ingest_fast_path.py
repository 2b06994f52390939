"""The single-sample fast path answers exactly as the route, and only the plain case.

These tests commit for real (the fast path uses the app's engine, not the test's
rolled-back connection), so they run on a database of their own.
Each request is sent to an app with the fast path and to one without it
(``INGEST_FAST_PATH=0``); a ``before_request`` hook on the first tells whether
Flask answered.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from prometheus_client import REGISTRY

from flask import Flask
from flask.testing import FlaskClient

import psycopg
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from app.extensions import db
from app.models import Node, Sample
from tests.factories import make_ingest_key, make_node
from tests.support.apps import app_builder
from tests.support.database import migrated_database
from tests.support.refusals import assert_refused

INGEST = "/ingest/v1/ingest/"
JSONAPI = "application/vnd.api+json"


@dataclass
class Stack:
    """A committed node, its token, and the two apps."""

    node: Node
    key: str
    fast: Flask
    route: Flask
    flask_calls: list[str]

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Token {self.key}", "Content-Type": JSONAPI, **extra}

    def body(self, ts: int, **attributes: Any) -> dict[str, Any]:
        attrs = {"timestamp_s": ts, "co2_ppm": 800, "temperature_celsius": 21.5}
        attrs.update(attributes)
        return {
            "data": {
                "type": "Sample",
                "attributes": attrs,
                "relationships": {
                    "node": {"data": {"type": "Node", "id": str(self.node.id)}}
                },
            }
        }


def _record_flask(app: Flask) -> list[str]:
    """Note every request Flask handles (a hook ahead of the app's own)."""
    calls: list[str] = []
    app.before_request_funcs.setdefault(None, []).insert(
        0, lambda: calls.append("flask")
    )
    return calls


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A migrated database of this module's own: these tests commit."""
    with migrated_database("co2_fast") as url:
        yield url


@pytest.fixture
def new_app(database: str) -> Iterator[Callable[..., Flask]]:
    """Build apps on the module's database; close their connections afterwards."""
    with app_builder(database) as build:
        yield build


@pytest.fixture
def stack(new_app: Callable[..., Flask]) -> Iterator[Stack]:
    fast_app, route = new_app(), new_app(INGEST_FAST_PATH=False)
    with route.app_context():
        session = db.session()
        node = make_node(session)
        key = make_ingest_key(session, node.owner)
        session.commit()
        session.refresh(node)
        session.expunge(node)
    with fast_app.app_context():
        yield Stack(node, key, fast_app, route, _record_flask(fast_app))


def _stored(node: Node) -> list[tuple[int, int]]:
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(func.extract("epoch", Sample.time), Sample.co2_ppm)
            .where(Sample.node_id == node.id)
            .order_by(Sample.time)
        ).all()
    return [(int(t), int(c)) for t, c in rows]


def _warm(stack: Stack, client: FlaskClient) -> None:
    """One request through the route verifies the token for this worker."""
    answer = client.post(
        INGEST, json=stack.body(1_600_000_000), headers=stack.headers()
    )
    assert answer.status_code == 201
    stack.flask_calls.clear()


def _now() -> int:
    return int(time.time()) - 600


def _first_sample_fast(stack: Stack) -> tuple[FlaskClient, int]:
    """Warm the token up, store one sample through the fast path; its client and time."""
    fast = stack.fast.test_client()
    _warm(stack, fast)
    first = _now()
    answer = fast.post(INGEST, json=stack.body(first), headers=stack.headers())
    assert answer.status_code == 201
    assert stack.flask_calls == []  # the fast path holds a connection now
    return fast, first


def _fast_pool(stack: Stack) -> Any:
    """The fast path's own engine (created at its first sample)."""
    return stack.fast.extensions["ingest.fast_path"]._pool(db.engine)


def test_new_sample_gets_the_routes_answer_without_flask(stack: Stack) -> None:
    fast, route = stack.fast.test_client(), stack.route.test_client()
    _warm(stack, fast)
    ts = _now()

    quick = fast.post(INGEST, json=stack.body(ts), headers=stack.headers())
    slow = route.post(INGEST, json=stack.body(ts + 60), headers=stack.headers())

    assert stack.flask_calls == []  # answered before Flask
    assert (quick.status_code, slow.status_code) == (201, 201)
    quick_doc, slow_doc = quick.get_json(), slow.get_json()
    assert quick_doc["data"]["id"] == f"{stack.node.id}:{ts}"
    slow_doc["data"]["id"] = quick_doc["data"]["id"]
    slow_doc["data"]["attributes"]["timestamp_s"] = ts
    assert quick_doc == slow_doc
    assert quick.data.endswith(b"}\n")
    assert slow.data.endswith(b"}\n")
    different = {"X-Request-ID", "Content-Length"}
    assert {k: v for k, v in quick.headers.items() if k not in different} == {
        k: v for k, v in slow.headers.items() if k not in different
    }
    assert (ts, 800) in _stored(stack.node)


def test_fast_path_keeps_a_sane_request_id_and_serves_the_slashless_path(
    stack: Stack,
) -> None:
    fast = stack.fast.test_client()
    _warm(stack, fast)

    answer = fast.post(
        INGEST.rstrip("/"),
        json=stack.body(_now()),
        headers=stack.headers(**{"X-Request-ID": "probe-42"}),
    )

    assert answer.status_code == 201
    assert answer.headers["X-Request-ID"] == "probe-42"
    assert stack.flask_calls == []


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _metric(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_fast_path_counts_the_request_and_the_sample(stack: Stack) -> None:
    fast = stack.fast.test_client()
    _warm(stack, fast)
    labels = {"method": "POST", "route": INGEST, "status": "201"}
    before = (
        _metric("airq_http_requests_total", labels),
        _metric("airq_ingest_samples_total", {"outcome": "stored"}),
    )

    assert (
        fast.post(INGEST, json=stack.body(_now()), headers=stack.headers()).status_code
        == 201
    )

    assert stack.flask_calls == []
    assert _metric("airq_http_requests_total", labels) == before[0] + 1
    assert _metric("airq_ingest_samples_total", {"outcome": "stored"}) == before[1] + 1


def test_unverified_token_goes_through_the_route_first(stack: Stack) -> None:
    fast = stack.fast.test_client()
    ts = _now()

    first = fast.post(INGEST, json=stack.body(ts), headers=stack.headers())
    after_first = list(stack.flask_calls)
    second = fast.post(INGEST, json=stack.body(ts + 60), headers=stack.headers())

    assert (first.status_code, second.status_code) == (201, 201)
    assert after_first == ["flask"]  # the route verified the token
    assert stack.flask_calls == ["flask"]  # the second did not need Flask


# Every request but the plain new sample is the route's: same status, same body.
HANDED_OVER: list[tuple[str, Callable[[Stack, int], tuple[Any, dict[str, str]]]]] = [
    ("retry of a stored sample", lambda s, ts: (s.body(ts - 60), s.headers())),
    ("conflicting values", lambda s, ts: (s.body(ts - 60, co2_ppm=801), s.headers())),
    ("co2 out of range", lambda s, ts: (s.body(ts, co2_ppm=99_999), s.headers())),
    ("future timestamp", lambda s, ts: (s.body(ts + 86_400), s.headers())),
    ("wrong type", lambda s, ts: ({"data": {**s.body(ts)["data"], "type": "Node"}}, s.headers())),
    ("no data member", lambda s, ts: ({"sample": 1}, s.headers())),
    ("no token", lambda s, ts: (s.body(ts), {"Content-Type": JSONAPI})),
    ("unknown token", lambda s, ts: (s.body(ts), {**s.headers(), "Authorization": "Token nope"})),
    ("text body", lambda s, ts: (s.body(ts), {**s.headers(), "Content-Type": "text/plain"})),
    ("charset parameter", lambda s, ts: (s.body(ts - 60, co2_ppm=802), {**s.headers(), "Content-Type": "application/json; charset=utf-8"})),
]  # fmt: skip


@pytest.mark.parametrize(
    "build", [b for _, b in HANDED_OVER], ids=[n for n, _ in HANDED_OVER]
)
def test_everything_else_is_answered_by_the_route(
    stack: Stack, build: Callable[[Stack, int], tuple[Any, dict[str, str]]]
) -> None:
    fast, route = stack.fast.test_client(), stack.route.test_client()
    _warm(stack, fast)
    ts = _now()
    stored = route.post(INGEST, json=stack.body(ts - 60), headers=stack.headers())
    assert stored.status_code == 201
    body, headers = build(stack, ts)
    before = _stored(stack.node)

    quick = fast.post(INGEST, data=json.dumps(body), headers=headers)
    slow = route.post(INGEST, data=json.dumps(body), headers=headers)

    assert stack.flask_calls == ["flask"]
    assert quick.status_code == slow.status_code
    assert quick.status_code in (200, 400, 401, 403, 409, 415)
    assert quick.get_json() == slow.get_json()
    assert _stored(stack.node) == before  # neither stored anything


def test_get_is_405_from_the_route(stack: Stack) -> None:
    answer = stack.fast.test_client().get(INGEST, headers=stack.headers())

    assert answer.status_code == 405
    assert stack.flask_calls == ["flask"]


def test_with_publishers_the_route_queues_the_sample(
    stack: Stack, new_app: Callable[..., Flask]
) -> None:
    publishing = new_app(
        IOTDP_INTEGRATION=True,
        IOTDP_PUBLISHERS=("webhook",),
        WEBHOOK_URL="http://127.0.0.1:9/hook",
        WEBHOOK_SECRET="s3cret",
    )
    calls = _record_flask(publishing)
    client = publishing.test_client()
    ts = _now()

    answers = [
        client.post(INGEST, json=stack.body(t), headers=stack.headers()).status_code
        for t in (ts, ts + 60)
    ]

    assert answers == [201, 201]
    assert calls == ["flask", "flask"]  # never the fast path: the outbox needs it


def test_untrusted_host_is_refused_by_the_route(
    stack: Stack, new_app: Callable[..., Flask]
) -> None:
    guarded = new_app(ALLOWED_HOSTS=["sensors.example.org"])
    client = guarded.test_client()
    ts = _now()
    good = client.post(
        INGEST,
        json=stack.body(ts),
        headers=stack.headers(),
        base_url="http://sensors.example.org",
    )
    assert good.status_code == 201

    assert_refused(
        client,
        "POST",
        INGEST,
        400,
        json=stack.body(ts + 60),
        headers=stack.headers(),
        base_url="http://evil.test",
        unchanged=("samples",),
    )
    assert (ts + 60, 800) not in _stored(stack.node)


def _admin(stack: Stack) -> psycopg.Connection[Any]:
    """A connection to the server's ``postgres`` database, beside the app's own."""
    with stack.fast.app_context():
        url = db.engine.url.set(database="postgres")
    return psycopg.connect(_libpq(url), autocommit=True)


def _drop_app_connections(admin: psycopg.Connection[Any], database: str) -> None:
    """End every connection the apps hold to ``database`` (the server drops them)."""
    admin.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND application_name = 'airq'",
        (database,),
    )


def test_a_connection_lost_under_the_fast_path_loses_no_sample(stack: Stack) -> None:
    fast, first = _first_sample_fast(stack)
    with _admin(stack) as admin:
        _drop_app_connections(admin, str(db.engine.url.database))

    answer = fast.post(INGEST, json=stack.body(first + 60), headers=stack.headers())

    assert answer.status_code == 201
    assert stack.flask_calls == ["flask"]  # handed to the route, which reconnected
    assert (first + 60, 800) in _stored(stack.node)


@contextmanager
def _connections_refused(stack: Stack) -> Iterator[None]:
    """The server refuses new connections to the app's database, and drops the open ones.

    A real refusal at connect (``ALLOW_CONNECTIONS false``), as while the server is
    stopped or starting up, on a database of this module's own.
    """
    name = sql.Identifier(str(db.engine.url.database))
    with _admin(stack) as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(name))
        try:
            _drop_app_connections(admin, str(db.engine.url.database))
            yield
        finally:
            admin.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(name)
            )


def test_a_refused_connection_is_the_routes_503_and_the_fast_path_recovers(
    stack: Stack,
) -> None:
    fast, ts = _first_sample_fast(stack)
    with _connections_refused(stack):
        # The first finds the pooled connection dead, the second cannot connect.
        answers = [
            fast.post(INGEST, json=stack.body(ts + 60 * k), headers=stack.headers())
            for k in (1, 2)
        ]
    routed = list(stack.flask_calls)
    stack.flask_calls.clear()

    again = fast.post(INGEST, json=stack.body(ts + 180), headers=stack.headers())

    for answer in answers:
        assert answer.status_code == 503, answer.get_json()
        assert answer.headers["Retry-After"] == "5"
        assert answer.get_json()["errors"][0]["code"] == "unavailable"
    assert routed == ["flask", "flask"]  # the route answered both
    assert again.status_code == 201
    assert stack.flask_calls == []  # the fast path again, on a new connection
    stored = _stored(stack.node)
    assert (ts + 60, 800) not in stored
    assert (ts + 120, 800) not in stored
    assert (ts + 180, 800) in stored


def test_with_every_fast_connection_busy_the_route_takes_the_sample_at_once(
    stack: Stack,
) -> None:
    fast, ts = _first_sample_fast(stack)
    pool = _fast_pool(stack)
    held = [pool.raw_connection() for _ in range(stack.fast.config["DB_POOL_SIZE"])]
    try:
        started = time.perf_counter()
        answer = fast.post(INGEST, json=stack.body(ts + 60), headers=stack.headers())
        waited = time.perf_counter() - started
    finally:
        for conn in held:
            conn.close()

    assert answer.status_code == 201
    assert stack.flask_calls == ["flask"]  # no fast connection free: the route
    assert waited < 5  # and no wait for one (the app's pool_timeout is 30 s)
    assert (ts + 60, 800) in _stored(stack.node)
    assert (
        fast.post(
            INGEST, json=stack.body(ts + 120), headers=stack.headers()
        ).status_code
        == 201
    )
    assert stack.flask_calls == ["flask"]  # connections back: the fast path again


def test_fast_connections_stay_in_autocommit_between_samples(stack: Stack) -> None:
    fast, ts = _first_sample_fast(stack)
    for k in range(1, 3):
        body = stack.body(ts + 60 * k)
        assert fast.post(INGEST, json=body, headers=stack.headers()).status_code == 201
    assert stack.flask_calls == []
    pooled = _fast_pool(stack).raw_connection()
    try:
        conn = pooled.driver_connection
        assert isinstance(conn, psycopg.Connection)
        assert conn.autocommit is True
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    finally:
        pooled.close()
