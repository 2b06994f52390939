"""Fake IoT data platforms on a real loopback HTTP server (pytest-httpserver).

One threaded server plays Stadtpuls (Supabase login and sensors, records API),
openSenseMap (sign-in, boxes, bulk measurements) and a webhook receiver. Each
platform checks the credentials and headers the real one needs, records what it
accepted, and can be told to fail or hang on its first calls.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import itertools
import json
import re
import socket
import threading
import time
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pytest_httpserver import HTTPServer

from werkzeug import Request, Response

HANG_S = 3.0
SP_API_KEY = "sp-api-key"
SP_AUTH_TOKEN = "sp-records-token"
SP_ACCESS_TOKEN = "sp-access-token"
OSEM_JWT = "osem-jwt"
WEBHOOK_SECRET = "webhook-secret"


class DrippingServer:
    """Answers every request with a status line and then a header byte per
    ``every_s``, for ``for_s`` seconds: no single read ever times out."""

    def __init__(self, every_s: float = 0.05, for_s: float = 5.0) -> None:
        self.every_s, self.for_s = every_s, for_s
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/hook") -> str:
        """The URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            stop = time.monotonic() + self.for_s
            while time.monotonic() < stop:
                conn.sendall(b"X")
                time.sleep(self.every_s)

    def close(self) -> None:
        """Refuse further connections (those dripping end on their own)."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()


@dataclass
class Trouble:
    """How a platform misbehaves on its first data calls."""

    fail: int = 0  # answer 500 to the first ``fail`` calls
    hang: int = 0  # then hang longer than any client timeout on ``hang`` calls


@dataclass
class Platforms:
    """State of the three fake platforms behind one server."""

    server: HTTPServer
    trouble: dict[str, Trouble] = field(default_factory=dict)
    received: dict[str, list[tuple[str, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    registrations: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    calls: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(17))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> None:
        """Register the request handlers on the server."""
        routes = {
            "/auth/v1/token": self._sp_login,
            "/rest/v1/sensors": self._sp_sensor,
            "/users/sign-in": self._osem_sign_in,
            "/boxes": self._osem_box,
            "/hook": self._hook,
        }
        for path, handler in routes.items():
            self.server.expect_request(path, method="POST").respond_with_handler(
                handler
            )
        self.server.expect_request(
            re.compile(r"^/api/v3/sensors/[^/]+/records$"), method="POST"
        ).respond_with_handler(self._sp_records)
        self.server.expect_request(
            re.compile(r"^/boxes/[^/]+/data$"), method="POST"
        ).respond_with_handler(self._osem_data)

    def reset(self) -> None:
        """Forget everything and free hanging handlers."""
        self.release.set()
        self.trouble.clear()
        self.received.clear()
        self.registrations.clear()
        self.calls.clear()
        self.errors.clear()
        self.release = threading.Event()

    def settings(self, timeout_s: float = 0.3) -> dict[str, Any]:
        """Configuration pointing every publisher at this server."""
        url = self.server.url_for
        return {
            "IOTDP_INTEGRATION": True,
            "IOTDP_PUBLISHERS": ("stadtpuls", "opensensemap", "webhook"),
            "OUTBOX_TIMEOUT_S": timeout_s,
            "SP_LOGIN_ENDPOINT": url("/auth/v1/token"),
            "SP_SENSOR_ENDPOINT": url("/rest/v1/sensors"),
            "SP_RECORDS_ENDPOINT": url("/api/v3/sensors"),
            "SP_LOGIN_EMAIL": "sp@example.org",
            "SP_LOGIN_PWD": "sp-password",
            "SP_API_KEY": SP_API_KEY,
            "SP_AUTH_TOKEN": SP_AUTH_TOKEN,
            "OSEM_API_URL": url("").rstrip("/"),
            "OSEM_EMAIL": "osem@example.org",
            "OSEM_PASSWORD": "osem-password",
            "WEBHOOK_URL": url("/hook"),
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
        }

    # -- helpers ---------------------------------------------------------------

    def _trouble(self, platform: str) -> Response | None:
        with self._lock:
            self.calls[platform] += 1
            n = self.calls[platform]
        trouble = self.trouble.get(platform, Trouble())
        if n <= trouble.fail:
            return Response("upstream trouble", status=500)
        if n <= trouble.fail + trouble.hang:
            self.release.wait(HANG_S)
            return Response("too late", status=503)
        return None

    def _refuse(self, why: str) -> Response:
        self.errors.append(why)
        return Response(why, status=401)

    # -- Stadtpuls ---------------------------------------------------------------

    def _sp_login(self, request: Request) -> Response:
        body = request.get_json()
        if (
            request.args.get("grant_type") != "password"
            or request.headers.get("apikey") != SP_API_KEY
            or body != {"email": "sp@example.org", "password": "sp-password"}
        ):
            return self._refuse("stadtpuls login")
        answer = {"access_token": SP_ACCESS_TOKEN, "user": {"id": "sp-user-1"}}
        return Response(json.dumps(answer), content_type="application/json")

    def _sp_sensor(self, request: Request) -> Response:
        if (
            request.headers.get("apikey") != SP_API_KEY
            or request.headers.get("Authorization") != f"Bearer {SP_ACCESS_TOKEN}"
            or request.headers.get("prefer") != "return=representation"
        ):
            return self._refuse("stadtpuls sensor")
        body = request.get_json()
        body["description_toml"] = tomllib.loads(body["description"])
        sensor_id = next(self._ids)
        body["id"] = sensor_id
        self.registrations["stadtpuls"].append(body)
        return Response(
            json.dumps([{"id": sensor_id}]), status=201, content_type="application/json"
        )

    def _sp_records(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {SP_AUTH_TOKEN}":
            return self._refuse("stadtpuls records")
        sensor = request.path.split("/")[-2]
        trouble = self._trouble("stadtpuls")
        if trouble is not None:
            return trouble
        for record in request.get_json()["records"]:
            at = datetime.fromisoformat(record["recorded_at"])
            self.received["stadtpuls"].append((sensor, int(at.timestamp())))
        return Response("", status=201)

    # -- openSenseMap ------------------------------------------------------------

    def _osem_sign_in(self, request: Request) -> Response:
        if request.get_json() != {
            "email": "osem@example.org",
            "password": "osem-password",
        }:
            return self._refuse("opensensemap sign-in")
        return Response(
            json.dumps({"code": "Authorized", "token": OSEM_JWT}),
            content_type="application/json",
        )

    def _osem_box(self, request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {OSEM_JWT}":
            return self._refuse("opensensemap box")
        body = request.get_json()
        box = f"box{next(self._ids)}"
        body["_id"] = box
        self.registrations["opensensemap"].append(body)
        sensors = [
            {"_id": f"{box}-{i}", "title": s["title"], "unit": s["unit"]}
            for i, s in enumerate(body["sensors"])
        ]
        data = {"_id": box, "access_token": f"{box}-token", "sensors": sensors}
        return Response(
            json.dumps({"message": "Box successfully created", "data": data}),
            status=201,
            content_type="application/json",
        )

    def _osem_data(self, request: Request) -> Response:
        box = request.path.split("/")[2]
        if request.headers.get("Authorization") != f"{box}-token":
            return self._refuse("opensensemap data")
        trouble = self._trouble("opensensemap")
        if trouble is not None:
            return trouble
        measurements = request.get_json()
        self.registrations["opensensemap-data"].append({"box": box, "m": measurements})
        for m in measurements:
            if m["sensor"] == f"{box}-0":  # one CO2 value per sample
                at = datetime.fromisoformat(m["createdAt"].replace("Z", "+00:00"))
                self.received["opensensemap"].append((box, int(at.timestamp())))
        return Response("Measurements saved in box", status=201)

    # -- webhook -----------------------------------------------------------------

    def _hook(self, request: Request) -> Response:
        body = request.get_data()
        expected = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
        given = request.headers.get("X-Airq-Signature-256", "")
        if not hmac.compare_digest(given, f"sha256={expected}"):
            return self._refuse("webhook signature")
        trouble = self._trouble("webhook")
        if trouble is not None:
            return trouble
        doc = json.loads(body)
        node = doc["installation"]["node"]
        for sample in doc["samples"]:
            self.received["webhook"].append((node, sample["timestamp_s"]))
        return Response("", status=204)
