"""The database stops and restarts under a real gunicorn: 503s, then recovery.

A private PostgreSQL server (:class:`TempCluster`) that the tests stop and start;
gunicorn (one worker, production settings) serves the app on a loopback port. While the
database is down every API answer is a JSON:API 503 with ``Retry-After``, the
single-sample fast path's included; the process stays up and answers 200 again
once the database is back, without a restart.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import flask_migrate
import pytest

import psycopg
from sqlalchemy.engine import make_url

from app import create_app
from app.db import transaction
from app.extensions import db
from app.models import Role
from app.services.accounts.tokens import issue_ingest_token, issue_user_key
from tests.factories import (
    make_membership,
    make_node,
    make_organization,
    make_site,
    make_user,
)
from tests.support.pgcluster import TempCluster
from tests.support.servers import (
    Answer,
    WebServer,
    app_env,
    request,
    sample_document,
)

pytestmark = pytest.mark.slow

SITES = "/api/v1/sites/"
RECOVERY_S = 20


@dataclass
class Stack:
    """The private database, the web server on it and an owner's headers."""

    cluster: TempCluster
    web: WebServer
    headers: dict[str, str]
    seeded: Seeded

    def get(self, path: str = SITES) -> Answer:
        return request(self.web.port, "GET", path, headers=self.headers, timeout_s=15)

    def wait_for_200(self, path: str = SITES) -> float:
        """Poll until ``path`` answers 200; return how long that took."""
        started = time.monotonic()
        while time.monotonic() - started < RECOVERY_S:
            if self.get(path).status == 200:
                return time.monotonic() - started
            time.sleep(0.2)
        raise AssertionError(f"{path} did not recover within {RECOVERY_S} s")


@dataclass(frozen=True)
class Seeded:
    """An owner's API key, an ingest token and the organization's node."""

    key: str
    ingest: str
    node_id: str


def _seed(url: str) -> Seeded:
    """Migrate the private database; add an owner, a site and a node."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade()
        with transaction() as session:
            owner, org = make_user(session), make_organization(session)
            make_membership(session, owner, org, Role.OWNER)
            make_site(session, operator=org)
            node = make_node(session, owner=org)
            seeded = Seeded(
                issue_user_key(session, owner, name="faults").key,
                issue_ingest_token(session, org.id, name="faults").key,
                str(node.id),
            )
        db.session.remove()
        db.engine.dispose()
    return seeded


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    cluster = TempCluster()
    cluster.start()
    web = None
    try:
        seeded = _seed(cluster.url)
        log = Path(tmp_path_factory.mktemp("faults")) / "gunicorn.log"
        env = app_env(cluster.url, DB_CONNECT_TIMEOUT_S="2", DB_POOL_SIZE="4")
        web = WebServer(env, log)
        yield Stack(cluster, web, {"Authorization": f"Token {seeded.key}"}, seeded)
    finally:
        if web is not None:
            web.stop()
        cluster.destroy()


@pytest.fixture
def running(stack: Stack) -> Iterator[Stack]:
    """The stack with its database up before and after the test."""
    stack.wait_for_200()
    yield stack
    with contextlib.suppress(RuntimeError):  # already running
        stack.cluster.start()


def test_read_with_database_stopped_is_jsonapi_503_with_retry_after(
    running: Stack,
) -> None:
    running.cluster.stop()

    answer = running.get()

    assert answer.status == 503
    assert answer.headers["retry-after"] == "5"
    assert answer.headers["content-type"].startswith("application/vnd.api+json")
    error = answer.body["errors"][0]
    assert (error["status"], error["code"]) == ("503", "unavailable")
    assert running.web.alive()


def test_read_after_database_returns_recovers_without_restart(
    running: Stack,
) -> None:
    pid = running.web.worker_pids()
    running.cluster.stop()
    assert running.get().status == 503

    running.cluster.start()
    recovery_s = running.wait_for_200()

    assert recovery_s < RECOVERY_S
    assert running.web.worker_pids() == pid  # no worker crashed or was replaced


def test_health_answers_while_database_is_down(running: Stack) -> None:
    running.cluster.stop()

    healthz = request(running.web.port, "GET", "/healthz")
    readyz = request(running.web.port, "GET", "/readyz")

    assert healthz.status == 200
    assert readyz.status == 503


def _errors(stack: Stack) -> str:
    """The unhandled-exception reports in the web log (for failure messages)."""
    text = stack.web.text()
    start = text.find("Unhandled exception")
    return text[start : start + 4000] if start >= 0 else text[-2000:]


def _hammer(
    send: Callable[[], Answer], stop: threading.Event, statuses: list[int]
) -> None:
    while not stop.is_set():
        try:
            statuses.append(send().status)
        except OSError:
            statuses.append(0)  # connection refused or reset: the web process failed


def _restart_under_load(
    stack: Stack, send: Callable[[], Answer]
) -> tuple[list[int], int]:
    """Stop and start the database while three clients ``send`` without pause.

    Returns every answer's status and how many had come before the recovery.
    """
    stop, statuses = threading.Event(), list[int]()
    threads = [
        threading.Thread(target=_hammer, args=(send, stop, statuses)) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        stack.cluster.stop()
        time.sleep(1.5)
        stack.cluster.start()
        stack.wait_for_200()
        settled = len(statuses)
        time.sleep(1.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    return statuses, settled


def test_database_restarted_under_load_answers_only_200_or_503(
    running: Stack,
) -> None:
    statuses, settled = _restart_under_load(running, running.get)

    assert set(statuses) <= {200, 503}, (sorted(set(statuses)), _errors(running))
    assert 503 in statuses  # the outage was seen
    assert set(statuses[settled + 3 :]) == {200}  # after recovery, all good
    assert running.web.alive()


INGEST_BATCH = "/ingest/v1/samples/"
T0_S = 1_700_000_000


def _ndjson(node_id: str, first_s: int, count: int) -> bytes:
    return b"".join(
        json.dumps(
            {"node_id": node_id, "timestamp_s": first_s + i, "co2_ppm": 400 + i % 900}
        ).encode()
        + b"\n"
        for i in range(count)
    )


def _stored_times(stack: Stack, first_s: int, count: int) -> set[int]:
    """The timestamps (s) of the node's stored samples in ``[first_s, first_s + count)``."""
    url = make_url(stack.cluster.url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
        rows = conn.execute(
            "SELECT extract(epoch FROM time)::bigint FROM samples WHERE node_id = %s "
            "AND time >= to_timestamp(%s) AND time < to_timestamp(%s)",
            (stack.seeded.node_id, first_s, first_s + count),
        ).fetchall()
    return {int(row[0]) for row in rows}


def _stored(stack: Stack, first_s: int, count: int) -> int:
    return len(_stored_times(stack, first_s, count))


def _ingest_headers(stack: Stack) -> dict[str, str]:
    return {
        "Authorization": f"Token {stack.seeded.ingest}",
        "Content-Type": "application/x-ndjson",
    }


def test_ingest_with_database_stopped_is_jsonapi_503_and_stores_nothing(
    running: Stack,
) -> None:
    body = _ndjson(running.seeded.node_id, T0_S, 50)
    running.cluster.stop()

    answer = request(
        running.web.port, "POST", INGEST_BATCH, body, _ingest_headers(running)
    )
    running.cluster.start()
    running.wait_for_200()

    assert answer.status == 503, answer.body
    assert answer.headers["retry-after"] == "5"
    assert answer.body["errors"][0]["code"] == "unavailable"
    assert _stored(running, T0_S, 50) == 0


def test_single_ingest_with_database_stopped_is_503(running: Stack) -> None:
    document = sample_document(running.seeded.node_id, T0_S - 60, 700)
    headers = {"Authorization": f"Token {running.seeded.ingest}"}
    running.cluster.stop()

    answer = request(running.web.port, "POST", "/ingest/v1/ingest/", document, headers)

    assert answer.status == 503, answer.body
    assert answer.headers["retry-after"] == "5"


SINGLE = "/ingest/v1/ingest/"


def _post_sample(stack: Stack, ts: int) -> Answer:
    document = sample_document(stack.seeded.node_id, ts, 700)
    headers = {"Authorization": f"Token {stack.seeded.ingest}"}
    return request(stack.web.port, "POST", SINGLE, document, headers, timeout_s=15)


def _warm_fast_path(stack: Stack) -> None:
    """Samples through the route until the worker trusts the token: the fast path's."""
    for k in range(8):
        warm = _post_sample(stack, T0_S - 600 - k)
        assert warm.status in (200, 201), warm.body


def test_single_ingest_on_the_fast_path_with_database_stopped_is_503(
    running: Stack,
) -> None:
    _warm_fast_path(running)
    running.cluster.stop()

    # The first finds the fast path's pooled connection dead; the next ones make
    # the fast path open a new connection, which the stopped server refuses.
    answers = [_post_sample(running, T0_S - 900 - k) for k in range(3)]
    running.cluster.start()
    running.wait_for_200()

    for answer in answers:
        assert answer.status == 503, (answer.body, _errors(running))
        assert answer.headers["retry-after"] == "5"
        assert answer.headers["content-type"].startswith("application/vnd.api+json")
        assert answer.body["errors"][0]["code"] == "unavailable"
    assert _stored(running, T0_S - 902, 3) == 0
    assert running.web.alive()


def test_single_ingest_on_the_fast_path_during_a_restart_loses_no_acknowledged_sample(
    running: Stack,
) -> None:
    first_s, sent = T0_S + 200_000, itertools.count()
    acknowledged: list[int] = []
    _warm_fast_path(running)
    pids = running.web.worker_pids()

    def send() -> Answer:
        ts = first_s + next(sent)
        answer = _post_sample(running, ts)
        if answer.status in (200, 201):
            acknowledged.append(ts)
        return answer

    statuses, settled = _restart_under_load(running, send)

    assert set(statuses) <= {200, 201, 503}, (sorted(set(statuses)), _errors(running))
    assert 503 in statuses  # the outage was seen
    assert set(statuses[settled + 3 :]) == {201}  # after recovery, all stored
    assert set(acknowledged) <= _stored_times(running, first_s, next(sent))
    assert running.web.worker_pids() == pids  # no worker crashed or was replaced


def test_batch_cut_by_a_database_stop_is_not_half_written(running: Stack) -> None:
    first_s, count = T0_S + 100_000, 20_000
    body = _ndjson(running.seeded.node_id, first_s, count)
    half = len(body) // 2
    conn = http.client.HTTPConnection("127.0.0.1", running.web.port, timeout=30)
    conn.putrequest("POST", INGEST_BATCH)
    for name, value in {
        **_ingest_headers(running),
        "Content-Length": str(len(body)),
    }.items():
        conn.putheader(name, value)
    conn.endheaders()
    conn.send(body[:half])
    time.sleep(0.5)  # the server is streaming the first half into the database
    running.cluster.stop()
    try:
        conn.send(body[half:])
        status = conn.getresponse().status
    except OSError:
        status = 0
    finally:
        conn.close()
    running.cluster.start()
    running.wait_for_200()

    stored_after_cut = _stored(running, first_s, count)
    again = request(
        running.web.port, "POST", INGEST_BATCH, body, _ingest_headers(running)
    )

    assert status == 503
    assert stored_after_cut == 0
    assert again.status == 200
    assert again.body["meta"]["stored"] == count
    assert _stored(running, first_s, count) == count
    assert running.web.alive()
