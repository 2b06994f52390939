"""Batch ingest streams: peak memory does not grow with the number of samples."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator
from typing import Any

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Node
from tests.factories import make_ingest_key, make_node

TS = 1_600_000_000


def _lines(node_id: object, rows: int) -> Iterator[bytes]:
    yield b"node_id,timestamp_s,co2_ppm,temperature_celsius,rel_humidity_percent\n"
    for i in range(rows):
        yield f"{node_id},{TS + 60 * i},{400 + i % 600},21.5,45\n".encode()


class GeneratedBody(io.RawIOBase):
    """A request body made row by row while it is read: never whole in memory.

    Werkzeug's test client measures an input stream by seeking to its end and
    back; the known length answers that without producing anything.
    """

    def __init__(self, lines: Iterator[bytes], length: int) -> None:
        super().__init__()
        self._lines = lines
        self._pending = b""
        self._length = length
        self._position = 0

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._position = self._length if whence == io.SEEK_END else offset
        return self._position

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            line = next(self._lines, None)
            if line is None:
                return 0
            self._pending = line
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _peak_while_posting(
    client: FlaskClient, headers: dict[str, str], node: Node, rows: int
) -> tuple[int, int, Any]:
    # The id is read before the request: the route commits the shared test session
    # (authentication), and reloading the node in mid-COPY would wait on itself.
    node_id = node.id
    length = sum(len(line) for line in _lines(node_id, rows))
    body = GeneratedBody(_lines(node_id, rows), length)
    tracemalloc.start()
    try:
        response = client.post(
            "/ingest/v1/samples/",
            input_stream=body,
            headers={**headers, "Content-Type": "text/csv"},
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, length, response.get_json()


def test_batch_ingest_peak_memory_is_independent_of_batch_size(
    client: FlaskClient, session: Session
) -> None:
    node = make_node(session)
    headers = {"Authorization": f"Token {make_ingest_key(session, node.owner)}"}
    small_peak, _, small = _peak_while_posting(client, headers, node, 5_000)

    large_peak, large_bytes, large = _peak_while_posting(client, headers, node, 30_000)

    assert (small["meta"]["stored"], large["meta"]["stored"]) == (5_000, 25_000)
    assert large_peak < small_peak + 256 * 1024  # six times the rows
    assert large_peak < large_bytes / 2
