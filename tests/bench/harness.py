"""Shared by the benchmarks: a gunicorn server on loopback, parallel clients.

``serve(url)`` runs the app under gunicorn on a free ``127.0.0.1`` port against the
given database until the block ends; ``parallel`` runs a job in several client
threads and times them.
"""

from __future__ import annotations

import http.client
import os
import runpy
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2


def libpq(url: str) -> str:
    """Return the libpq form of a SQLAlchemy URL (for ``psycopg.connect``)."""
    return (
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


def server_description() -> str:
    """Name the served configuration for the report (``gunicorn.conf.py``'s worker)."""
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    worker = settings["worker_class"]
    per_worker = (
        f"{settings['threads']} threads"
        if worker == "gthread"
        else f"up to {settings['worker_connections']} connections"
    )
    return f"gunicorn {WORKERS} {worker} workers, {per_worker} each"


def free_port() -> int:
    """Return a TCP port that is free on the loopback interface now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(url: str, overrides: Mapping[str, str] | None = None) -> Iterator[int]:
    """Serve the app with gunicorn on a free loopback port until the block ends.

    gunicorn runs with the production settings (``gunicorn.conf.py``: the worker
    class, hooks and logger) and :data:`WORKERS` workers.

    Args:
        url: the database (SQLAlchemy URL).
        overrides: further environment settings for the app.

    Yields:
        The port.
    """
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        "INGEST_AUTH": "token",
        "IOTDP_INTEGRATION": "0",
        "SENTRY": "0",
        "DEBUG": "0",
        **(overrides or {}),
    }
    command = [
        sys.executable, "-m", "gunicorn",
        "--config", "gunicorn.conf.py",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(WORKERS),
        "--keep-alive", "30",
        "--timeout", "300",
        "--log-level", "warning",
        "wsgi:app",
    ]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_ready(port, proc)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_ready(port: int, proc: subprocess.Popen[bytes]) -> None:
    """Wait until ``/readyz`` answers 200.

    Raises:
        RuntimeError: gunicorn exited, or was not ready within 30 s.
    """
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not become ready in 30 s")


def parallel(
    work: list[Any], clients: int, job: Callable[[int, list[Any]], None]
) -> float:
    """Run ``job(client, items)`` in ``clients`` threads; return the wall seconds."""
    shares = [work[i::clients] for i in range(clients)]
    errors: list[BaseException] = []

    def guarded(index: int) -> None:
        try:
            job(index, shares[index])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


class KeepAliveClient:
    """A minimal HTTP/1.1 keep-alive client on a raw socket, for request-rate runs.

    ``http.client`` spends about a quarter of a millisecond of CPU per request in
    Python, on the same two cores the server and the database use; this client
    sends a prepared request and reads the answer by its ``Content-Length``, as a
    load generator such as ``wrk`` does, so the figures measure the server.
    Answers must carry ``Content-Length`` (ours do); chunked answers are refused.
    """

    def __init__(self, port: int, timeout_s: float = 30.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host = f"127.0.0.1:{port}"
        self._buffer = b""

    def request(
        self, method: str, path: str, headers: Mapping[str, str], body: bytes = b""
    ) -> tuple[int, bytes]:
        """Send one request; return the status and the body of the answer."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return self._answer()

    def _answer(self) -> tuple[int, bytes]:
        while b"\r\n\r\n" not in self._buffer:
            self._buffer += self._recv()
        head, _, rest = self._buffer.partition(b"\r\n\r\n")
        status = int(head[9:12])
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if length is None:
            raise RuntimeError("answer without Content-Length")
        while len(rest) < length:
            rest += self._recv()
        self._buffer = rest[length:]
        return status, rest[:length]

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise RuntimeError("the server closed the connection")
        return chunk

    def close(self) -> None:
        """Close the connection."""
        self.sock.close()
