"""One remote call's time limit over all its phases, not per read.

httpx's timeouts bound each read; a remote that sends its status line or headers
a byte at a time never lets one run out and held a delivery run for hours (h11
gives up only after 64 KiB of headers). A :class:`Deadline` learns the sockets
of its call through httpcore's ``trace`` extension and shuts them down when its
time is up, which ends the blocked read at once (``shutdown`` wakes a reader in
another thread; ``close`` does not).

It sees connections opened during its call, so the publishers' client keeps none
alive between calls (:func:`app.services.outbox.publishers.http_client`).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable, Mapping
from typing import Any

Trace = Callable[[str, Mapping[str, Any]], None]


class Deadline:
    """Shuts the call's connections down ``seconds`` after it was made.

    Use as a context manager around the whole call, reading the body included;
    pass :meth:`trace` as the request's ``trace`` extension.
    """

    def __init__(self, seconds: float, trace: Trace | None = None) -> None:
        self._seconds = seconds
        self._chained = trace
        self._lock = threading.Lock()
        self._fds: list[int] = []  # duplicates: TLS detaches the original socket
        self.expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            for fd in self._fds:
                os.close(fd)
            self._fds.clear()

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpcore's trace hook: keep each socket the call connects."""
        if self._chained is not None:
            self._chained(event, info)
        if event != "connection.connect_tcp.complete":
            return
        sock = info["return_value"].get_extra_info("socket")
        if sock is None:
            return
        with self._lock:
            fd = os.dup(sock.fileno())
            self._fds.append(fd)
            if self.expired:
                _shut(fd)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for fd in self._fds:
                _shut(fd)


def _shut(fd: int) -> None:
    """Shut down the socket behind ``fd`` for reading and writing, keeping ``fd``."""
    with contextlib.suppress(OSError):
        sock = socket.socket(fileno=fd)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        finally:
            sock.detach()
