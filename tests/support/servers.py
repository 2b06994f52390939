"""The web process (gunicorn) and the jobs process as real subprocesses on loopback.

For fault tests and the soak benchmark: each process logs to a file, is started
with its own environment and is stopped by its own pid (terminate, then kill).
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.pgcluster import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, headers (lower-case names) and decoded JSON body."""

    status: int
    headers: dict[str, str]
    body: Any
    elapsed_s: float


def request(
    port: int,
    method: str,
    path: str,
    body: Any = None,
    headers: Mapping[str, str] | None = None,
    timeout_s: float = 30,
    source: str | None = None,
) -> Answer:
    """Send one request to ``127.0.0.1:port`` (from loopback ``source``) and read it all."""
    conn = http.client.HTTPConnection(
        "127.0.0.1",
        port,
        timeout=timeout_s,
        source_address=(source, 0) if source else None,
    )
    sent = dict(headers or {})
    payload = None
    if body is not None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent.setdefault("Content-Type", "application/vnd.api+json")
    started = time.perf_counter()
    try:
        conn.request(method, path, body=payload, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        elapsed = time.perf_counter() - started
        names = {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
    try:
        decoded = json.loads(raw) if raw else None
    except ValueError:
        decoded = raw.decode(errors="replace")
    return Answer(response.status, names, decoded, elapsed)


class Process:
    """A subprocess with its output in ``log``; stopped by its own pid."""

    def __init__(self, command: list[str], env: Mapping[str, str], log: Path) -> None:
        self.log = log
        self._file = log.open("w")
        self.proc = subprocess.Popen(
            command,
            cwd=ROOT,
            env=dict(env),
            stdout=self._file,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        """The process id."""
        return self.proc.pid

    def alive(self) -> bool:
        """Tell whether the process still runs."""
        return self.proc.poll() is None

    def text(self) -> str:
        """Return what the process logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Terminate the process (kill it after 20 s) and close its log."""
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._file.close()


def sample_document(node_id: str, timestamp_s: int, co2_ppm: int) -> dict[str, Any]:
    """The Managair ``Sample`` document of ``POST /ingest/v1/ingest/``."""
    return {
        "data": {
            "type": "Sample",
            "attributes": {"timestamp_s": timestamp_s, "co2_ppm": co2_ppm},
            "relationships": {"node": {"data": {"type": "Node", "id": node_id}}},
        }
    }


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a web or jobs process on ``database_url``."""
    return {
        **os.environ,
        "FLASK_APP": "wsgi:app",
        "DATABASE_URL": database_url,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "servers-test-secret"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "METRICS_ENABLED": "1",
        **extra,
    }


class WebServer(Process):
    """``gunicorn -c gunicorn.conf.py wsgi:app`` on a free loopback port.

    The production settings, worker class included; only the bind address and the
    number of workers are the test's.
    """

    def __init__(
        self,
        env: Mapping[str, str],
        log: Path,
        workers: int = 1,
        wrapper: Sequence[str] = (),
    ) -> None:
        """Start gunicorn; ``wrapper`` runs it, e.g. ``prlimit --as=...`` to cap memory."""
        self.port = free_port()
        super().__init__(
            [*wrapper, str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            {
                **env,
                "BIND": f"127.0.0.1:{self.port}",
                "WEB_WORKERS": str(workers),
            },
            log,
        )
        self.wait_until_up()

    def wait_until_up(self, timeout_s: float = 60) -> None:
        """Wait for ``/healthz`` to answer 200.

        Raises:
            RuntimeError: the process died or did not answer in time.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"gunicorn exited:\n{self.text()[-3000:]}")
            try:
                if request(self.port, "GET", "/healthz", timeout_s=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer:\n{self.text()[-3000:]}")

    def worker_pids(self) -> list[int]:
        """The pids of the gunicorn workers (children of the master)."""
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(p) for p in out.split()]


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """Resident memory of a process in KiB (from ``/proc``; ``VmHWM``: its peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0
