"""A remote platform that hangs does not slow ingest down, end to end.

gunicorn and ``flask jobs run`` on a throwaway database, the webhook publisher
pointed at a loopback server that accepts connections and never answers. While
the jobs process waits on it, samples of a public installation keep being
ingested (single and batch) as fast as without it, and every one is stored and
queued for the platform. And a jobs process killed while it waits keeps what the
platform had already accepted.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flask_migrate
import pytest

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app import create_app
from app.db import transaction
from app.extensions import db
from app.services.accounts.tokens import issue_ingest_token
from app.services.outbox.enqueue import enqueue_stored
from tests.factories import (
    make_installation,
    make_node,
    make_organization,
    make_samples,
)
from tests.support.database import throwaway_database
from tests.support.servers import (
    Process,
    WebServer,
    app_env,
    request,
    sample_document,
)

pytestmark = pytest.mark.slow

#: Generous: single-sample ingest takes a few milliseconds on this machine.
P95_LIMIT_S = 0.5
T0_S = 1_710_000_000  # inside the installation (from 2024-01-01)


class HangingServer:
    """Accepts TCP connections on loopback and never answers; counts them."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)  # held open, never read or answered

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes accept(); refuses from now on
        self.sock.close()
        for conn in self.accepted:
            conn.close()


class AnswersOnceServer(HangingServer):
    """Answers the first request 204 No Content; holds every later one."""

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)
            if len(self.accepted) == 1:
                threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    @staticmethod
    def _answer(conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            data += conn.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        while length and len(body) < int(length.group(1)):
            body += conn.recv(65536)
        conn.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")


@dataclass(frozen=True)
class Stack:
    url: str
    web: WebServer
    jobs: Process
    platform: HangingServer
    token: str
    node_id: str


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = Path(tmp_path_factory.mktemp("publisher"))
    platform = HangingServer()
    with throwaway_database("co2_test_hang") as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            flask_migrate.upgrade()
            with transaction() as session:
                org = make_organization(session)
                node = make_node(session, owner=org)
                make_installation(session, node=node, is_public=True)
                token = issue_ingest_token(session, org.id, name="hang").key
                node_id = str(node.id)
            db.session.remove()
            db.engine.dispose()
        env = app_env(
            url,
            IOTDP_INTEGRATION="1",
            IOTDP_PUBLISHERS="webhook",
            WEBHOOK_URL=f"http://127.0.0.1:{platform.port}/hook",
            WEBHOOK_SECRET="hang-secret",
            OUTBOX_DELIVERY_INTERVAL_S="1",
            OUTBOX_TIMEOUT_S="60",
            LOG_LEVEL="INFO",
        )
        jobs = Process(
            [sys.executable, "-m", "flask", "jobs", "run"], env, folder / "jobs.log"
        )
        web = WebServer(env, folder / "web.log")
        try:
            yield Stack(url, web, jobs, platform, token, node_id)
        finally:
            platform.close()  # the hanging delivery fails now; the jobs process can stop
            web.stop()
            jobs.stop()


def _sample(stack: Stack, n: int) -> dict[str, Any]:
    return sample_document(stack.node_id, T0_S + n, 600)


def _wait_for_hanging_delivery(stack: Stack) -> None:
    """Ingest one sample and wait until the jobs process is stuck on the platform."""
    headers = {"Authorization": f"Token {stack.token}"}
    request(stack.web.port, "POST", "/ingest/v1/ingest/", _sample(stack, 0), headers)
    deadline = time.monotonic() + 30
    while not stack.platform.accepted and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stack.platform.accepted, stack.jobs.text()[-2000:]


def _count(stack: Stack, table: str) -> int:
    url = make_url(stack.url).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
    return int(row[0]) if row else 0


def test_ingest_latency_unaffected_by_a_hanging_platform(stack: Stack) -> None:
    _wait_for_hanging_delivery(stack)
    headers = {"Authorization": f"Token {stack.token}"}

    singles = [
        request(
            stack.web.port, "POST", "/ingest/v1/ingest/", _sample(stack, n), headers
        )
        for n in range(1, 101)
    ]
    rows = [
        {"node_id": stack.node_id, "timestamp_s": T0_S + 1000 + n, "co2_ppm": 650}
        for n in range(500)
    ]
    batch = request(
        stack.web.port,
        "POST",
        "/ingest/v1/samples/",
        json.dumps(rows).encode(),
        {**headers, "Content-Type": "application/json"},
    )

    latencies = sorted(a.elapsed_s for a in singles)
    p95 = latencies[int(0.95 * len(latencies)) - 1]
    assert {a.status for a in singles} == {201}
    assert p95 < P95_LIMIT_S, (
        f"p95 {p95:.3f} s, median {statistics.median(latencies):.3f} s"
    )
    assert batch.status == 200
    assert batch.body["meta"]["stored"] == 500
    assert batch.elapsed_s < 5 * P95_LIMIT_S
    assert stack.jobs.alive()
    assert re.search(r"claimed=[1-9]", stack.jobs.text()) is None  # still hanging
    assert _count(stack, "samples") == 601
    assert _count(stack, "outbox") == 601  # queued for the platform, none lost


def _booked(url: str) -> list[tuple[int, int]]:
    """(delivered rows, attempts) of the outbox per installation, in id order."""
    libpq = make_url(url).set(drivername="postgresql")
    with psycopg.connect(libpq.render_as_string(hide_password=False)) as conn:
        rows = conn.execute(
            "SELECT count(delivered_at), sum(attempts) FROM outbox "
            "GROUP BY installation_id ORDER BY installation_id"
        ).fetchall()
    return [(int(d), int(a)) for d, a in rows]


def test_a_killed_delivery_keeps_the_batches_the_platform_accepted(
    tmp_path: Path,
) -> None:
    platform = AnswersOnceServer()
    with throwaway_database("co2_test_crash") as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            flask_migrate.upgrade()
            with transaction() as session:
                org = make_organization(session)
                for _ in range(2):
                    node = make_node(session, owner=org)
                    make_installation(session, node=node, is_public=True)
                    make_samples(session, node, count=3)
                session.execute(
                    text(
                        "CREATE TEMP TABLE stored ON COMMIT DROP AS "
                        "SELECT node_id, time FROM samples"
                    )
                )
                enqueue_stored(session, "stored", ["webhook"])
            db.session.remove()
            db.engine.dispose()
        env = app_env(
            url,
            IOTDP_INTEGRATION="1",
            IOTDP_PUBLISHERS="webhook",
            WEBHOOK_URL=f"http://127.0.0.1:{platform.port}/hook",
            WEBHOOK_SECRET="crash-secret",
            OUTBOX_TIMEOUT_S="60",
        )
        command = [sys.executable, "-m", "flask", "jobs", "run-once", "outbox-delivery"]
        jobs = Process(command, env, tmp_path / "jobs.log")
        try:
            deadline = time.monotonic() + 30
            while len(platform.accepted) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)  # the first batch answered, the second one held
            assert len(platform.accepted) == 2, jobs.text()[-2000:]
            time.sleep(0.5)
            jobs.proc.kill()  # the process dies waiting for the platform
            jobs.proc.wait(10)
        finally:
            jobs.stop()
            platform.close()
        booked = _booked(url)

    assert booked == [(3, 3), (0, 0)]  # the accepted batch is not sent again
