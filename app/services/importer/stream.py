"""Reading Managair's samples in a thread of its own, into a bounded queue.

Copying is two servers' work: Managair's backend encodes rows, ours stores them.
Read and written by one thread, each waits for the other; here a reader thread
drains the source's ``COPY ... TO STDOUT`` while the caller writes, so both
backends (on two cores) work at once. The queue holds at most
:data:`QUEUED_BLOCKS` blocks of about :data:`BLOCK_BYTES`, so memory stays flat
however many samples there are: the reader waits when the writer is behind.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Generic, TypeVar

import psycopg
from psycopg import sql

#: rows arrive one per message; this many bytes of them are handed over at once
BLOCK_BYTES = 32 * 1024
QUEUED_BLOCKS = 4
#: how often a blocked reader looks whether the writer gave up
POLL_S = 0.5

T = TypeVar("T")


class _End:
    """Marks the end of one part's blocks."""


_END = _End()


class Stream(Generic[T]):
    """The blocks of each part (e.g. a chunk of samples), in order."""

    def __init__(self, parts: Sequence[T], blocks: queue.Queue[object]) -> None:
        self._parts = parts
        self._blocks = blocks

    def __iter__(self) -> Iterator[tuple[T, Iterator[bytes]]]:
        for part in self._parts:
            yield part, self._part_blocks()

    def _part_blocks(self) -> Iterator[bytes]:
        while True:
            item = self._blocks.get()
            if isinstance(item, BaseException):
                raise item
            if item is _END:
                return
            yield item  # type: ignore[misc]


@contextmanager
def read_ahead(
    conn: psycopg.Connection,
    parts: Sequence[T],
    query: Callable[[T], sql.Composed],
) -> Iterator[Stream[T]]:
    """Run ``COPY (query(part)) TO STDOUT`` for each part in a reader thread.

    The caller must consume each part's blocks completely, in order. Leaving the
    block early (an error) stops the reader and waits for it, so ``conn`` is free
    again afterwards.
    """
    reader = _Reader(conn)
    thread = threading.Thread(
        target=reader.run, args=(parts, query), name="managair-reader", daemon=True
    )
    thread.start()
    try:
        yield Stream(parts, reader.blocks)
    finally:
        reader.stop.set()
        thread.join()


class _StoppedError(Exception):
    """The writer gave up; the reader ends."""


class _Reader:
    """The reader thread's side: copies out, hands blocks over, stops on request."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self.blocks: queue.Queue[object] = queue.Queue(maxsize=QUEUED_BLOCKS)
        self.stop = threading.Event()

    def run(self, parts: Sequence[T], query: Callable[[T], sql.Composed]) -> None:
        """Copy every part out; an error is handed to the writer, which raises it."""
        try:
            for part in parts:
                self._copy_out(query(part))
                self._put(_END)
        except _StoppedError:
            return
        except Exception as exc:  # handed over, raised by the writer
            with contextlib.suppress(_StoppedError):
                self._put(exc)

    def _copy_out(self, query: sql.Composed) -> None:
        with self.conn.cursor() as cursor, cursor.copy(query) as copy:
            buffer = bytearray()
            while data := copy.read():
                buffer += data
                if len(buffer) >= BLOCK_BYTES:
                    self._put(bytes(buffer))
                    buffer.clear()
            if buffer:
                self._put(bytes(buffer))

    def _put(self, item: object) -> None:
        while not self.stop.is_set():
            try:
                self.blocks.put(item, timeout=POLL_S)
                return
            except queue.Full:
                continue
        raise _StoppedError
