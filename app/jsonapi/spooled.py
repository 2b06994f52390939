"""Documents with one list too long to hold in memory: its JSON goes to a spooled file.

A Managair time series without bounds is every sample of a node: about 38 MB of
JSON at 3 years of 5-minute samples, and as Python objects several times that, per
request, growing with the history. Written chunk by chunk into a
:class:`SpooledList` (memory up to ``memory_bytes``, a temporary file beyond), the
request holds one chunk of rows at a time; :func:`spliced_response` then sends the
rest of the document around the file's bytes. The bytes are those the app's JSON
provider (:class:`~app.jsonapi.media.JsonApiProvider`) gives for the whole document
at once, so a client cannot tell the difference.

The response only reads the file: the database connection goes back to the pool
when the view returns, not when a slow client has read the last byte.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from tempfile import SpooledTemporaryFile
from typing import Any

import orjson

from flask import Response
from flask.json.provider import DefaultJSONProvider

from app.jsonapi.document import JsonObject
from app.jsonapi.media import JSONAPI_MEDIA_TYPE, ORJSON_OPTIONS

#: Bytes a spooled list keeps in memory before it moves to a temporary file.
MEMORY_BYTES = 4 * 1024 * 1024
_BLOCK = 64 * 1024


class SpooledList:
    """The JSON text of a list, written a chunk of items at a time."""

    def __init__(self, memory_bytes: int = MEMORY_BYTES) -> None:
        self.file: SpooledTemporaryFile[bytes] = SpooledTemporaryFile(  # noqa: SIM115 -- outlives this call; close() or the response removes it
            max_size=memory_bytes
        )
        self.file.write(b"[")
        self.count = 0

    def extend(self, items: Sequence[Any]) -> None:
        """Append ``items`` (anything ``orjson`` serializes)."""
        if not items:
            return
        if self.count:
            self.file.write(b",")
        self.file.write(orjson.dumps(items)[1:-1])
        self.count += len(items)

    def close(self) -> None:
        """Remove the file (a response closes it once sent)."""
        self.file.close()


def spool(chunks: Iterable[Sequence[Any]]) -> SpooledList:
    """Write ``chunks`` of items into a new :class:`SpooledList`."""
    spooled = SpooledList()
    try:
        for chunk in chunks:
            spooled.extend(chunk)
    except BaseException:
        spooled.close()
        raise
    return spooled


def answer_with_list(
    chunks: Iterable[Sequence[Any]] | None,
    document: Callable[[SpooledList | None], JsonObject],
) -> JsonObject | Response:
    """A view's answer: ``document(None)`` as it is when there is no list, else the
    document around ``chunks`` written to a :class:`SpooledList` first (so whatever
    the document says about them, a count, is known when it is built)."""
    if chunks is None:
        return document(None)
    spooled = spool(chunks)
    return spliced_response(document(spooled), spooled, newline=True)


def spliced_response(
    document: Any, spooled: SpooledList, *, newline: bool = False
) -> Response:
    """``application/vnd.api+json`` of ``document``, in which ``spooled`` stands for
    the list it holds (once); ``newline`` ends it with one, as Flask's JSON responses
    (the app's JSON provider) do.

    The document is serialized with a random marker in the list's place, and the
    response sends the text before it, the file, and the text after it.
    """
    marker = f"airq-spooled-{uuid.uuid4().hex}"

    def default(value: Any) -> Any:
        return marker if value is spooled else DefaultJSONProvider.default(value)

    text = orjson.dumps(document, default=default, option=ORJSON_OPTIONS)
    head, found, tail = text.partition(orjson.dumps(marker))
    tail += b"\n" if newline else b""
    if not found:
        spooled.close()
        raise ValueError("the document does not hold the spooled list")
    spooled.file.write(b"]")
    size = spooled.file.tell()
    response = Response(
        _body(head, spooled, tail), mimetype=JSONAPI_MEDIA_TYPE, direct_passthrough=True
    )
    response.content_length = len(head) + size + len(tail)
    response.call_on_close(spooled.close)
    return response


def _body(head: bytes, spooled: SpooledList, tail: bytes) -> Iterator[bytes]:
    try:
        yield head
        spooled.file.seek(0)
        while block := spooled.file.read(_BLOCK):
            yield block
        yield tail
    finally:
        spooled.close()
