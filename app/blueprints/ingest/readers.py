"""Streaming readers for batch bodies: gzip, a size limit, JSON arrays, NDJSON, CSV.

Wire format, so it lives with the routes: the batch service takes the records.

Nothing here holds more than a buffer of the body: records are yielded one at a
time as tuples of raw values in ``FIELDS`` order, or as a string saying why the
record could not be read (a row error: the batch goes on).
"""

from __future__ import annotations

import codecs
import csv
import decimal
import gzip
import io
import json
import operator
import zlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO, Any

import ijson

from app.jsonapi import guard
from app.services.ingest.batch import FIELDS, RawRecord
from app.services.ingest.errors import (
    BadBodyError,
    BodyTooLargeError,
    UnsupportedBodyError,
)

JSON_TYPES = frozenset({"application/json", "application/vnd.api+json"})
NDJSON_TYPES = frozenset({"application/x-ndjson", "application/jsonlines"})
CSV_TYPES = frozenset({"text/csv"})
MEDIA_TYPES = JSON_TYPES | NDJSON_TYPES | CSV_TYPES
CODINGS = frozenset({"", "identity", "gzip", "x-gzip"})
READ_BYTES = 64 * 1024
#: The longest run of digits a JSON array batch may hold. ijson's C backend
#: (yajl2_c) crashes the process (SIGSEGV) on an integer of 4,301 digits or more,
#: Python's limit for int from text; no sample value needs more than a few dozen.
MAX_DIGITS = 100
_DIGIT_MARKS = bytes(0x39 if 0x30 <= b <= 0x39 else 0x20 for b in range(256))
_DIGIT_RUN = b"9" * (MAX_DIGITS + 1)


class LimitedReader(io.RawIOBase):
    """A binary stream that refuses to yield more than ``limit`` bytes."""

    def __init__(self, source: IO[bytes], limit: int, coding: str) -> None:
        super().__init__()
        self._source = source
        self._left = limit
        self._limit = limit
        self._coding = coding

    def readable(self) -> bool:
        """Return True: this is an input stream."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the source; raise once the limit is passed.

        Raises:
            BodyTooLargeError: more than ``limit`` bytes (after decoding).
            BadBodyError: the gzip coding is corrupt.
        """
        want = min(len(buffer), self._left + 1)
        try:
            data = self._source.read(want)
        except (OSError, EOFError, zlib.error) as exc:
            if self._coding in {"", "identity"}:
                raise BadBodyError(f"The body could not be read ({exc}).") from exc
            raise BadBodyError(
                f"The body is not valid {self._coding} ({exc}).",
                header="Content-Encoding",
            ) from exc
        self._left -= len(data)
        if self._left < 0:
            raise BodyTooLargeError(
                f"The body is larger than {self._limit} bytes (after decoding); "
                "split the batch."
            )
        buffer[: len(data)] = data
        return len(data)


def open_body(
    stream: IO[bytes], content_length: int | None, coding: str, limit: int
) -> IO[bytes]:
    """Return the decoded body as a size-limited binary stream.

    Raises:
        BodyTooLargeError: ``Content-Length`` already exceeds ``limit``.
        UnsupportedBodyError: a content coding other than gzip.
    """
    coding = coding.strip().lower()
    if coding not in CODINGS:
        raise UnsupportedBodyError(
            f'Content-Encoding "{coding}" is not supported; send gzip or none.',
            header="Content-Encoding",
        )
    if content_length is not None and content_length > limit:
        raise BodyTooLargeError(
            f"The body has {content_length} bytes; at most {limit} are accepted. "
            "Split the batch."
        )
    source: Any = stream
    if coding in {"gzip", "x-gzip"}:
        source = gzip.GzipFile(fileobj=stream, mode="rb")
    return io.BufferedReader(LimitedReader(source, limit, coding), READ_BYTES)


def records(media_type: str, body: IO[bytes]) -> Iterator[RawRecord]:
    """Yield the body's records as raw field tuples (or row errors).

    Raises:
        UnsupportedBodyError: not JSON, NDJSON or CSV.
        BadBodyError: the body is not readable as that format (whole batch).
    """
    if media_type in JSON_TYPES:
        return _json_array(body)
    if media_type in NDJSON_TYPES:
        return _ndjson(body)
    if media_type in CSV_TYPES:
        return _csv(body)
    raise UnsupportedBodyError(
        f'Unsupported media type "{media_type}"; send {", ".join(sorted(MEDIA_TYPES))}.'
    )


def _from_object(obj: Any) -> RawRecord:
    if not isinstance(obj, dict):
        return "Each sample must be a JSON object."
    get = obj.get
    return (
        get("node_id"),
        get("eui64"),
        get("timestamp_s"),
        get("time"),
        get("co2_ppm"),
        get("temperature_celsius"),
        get("rel_humidity_percent"),
        get("measurement_status"),
    )


class DigitGauge:
    """Refuses JSON text fed in pieces once it holds more than ``MAX_DIGITS`` digits in a row.

    Per piece, every non-digit becomes a space and every digit a ``9``; a search
    for ``MAX_DIGITS + 1`` nines then runs at C speed and skips ahead by that many
    bytes wherever it sees a space. Digits in strings count too: a sample has no
    text where that many digits in a row make sense.
    """

    def __init__(self) -> None:
        self._run = 0  # digits at the end of the text so far

    def feed(self, piece: bytes) -> None:
        """Take the next piece of the text.

        Raises:
            BadBodyError: the text so far holds too long a run of digits.
        """
        if not piece:
            return
        marks = piece.translate(_DIGIT_MARKS)
        if self._run:  # a run cut in two by the pieces
            lead = len(marks) - len(marks.lstrip(b"9"))
            self._refuse_beyond(self._run + lead)
            if lead == len(marks):
                self._run += lead
                return
        if _DIGIT_RUN in marks:
            self._refuse_beyond(MAX_DIGITS + 1)
        self._run = len(marks) - len(marks.rstrip(b"9"))

    @staticmethod
    def _refuse_beyond(run: int) -> None:
        if run > MAX_DIGITS:
            raise BadBodyError(
                f"The body holds a number (or a run of digits) longer than "
                f"{MAX_DIGITS} digits; no sample value needs that many.",
                pointer="",
            )


class _Prefixed:
    """A reader that first returns ``head``, then the rest of ``body``.

    Every piece passes a depth gauge before ijson sees it: ijson keeps the path
    of every open level, so a flood of brackets would otherwise cost gigabytes.
    It passes a digit gauge too: ijson's C backend crashes on very long numbers.
    """

    def __init__(self, head: bytes, body: IO[bytes]) -> None:
        self._head = head
        self._body = body
        self._gauge = guard.DepthGauge()
        self._digits = DigitGauge()

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson probes the type of the stream with read(0)
            return b""
        if self._head:
            piece, self._head = self._head, b""
        else:
            piece = self._body.read(size)
        self._gauge.feed(piece)
        self._digits.feed(piece)
        return piece


def _json_array(body: IO[bytes]) -> Iterator[RawRecord]:
    head = body.read(READ_BYTES)
    start = head.lstrip(codecs.BOM_UTF8).lstrip()
    if not start.startswith(b"["):
        raise BadBodyError("The body must be a JSON array of samples.", pointer="")
    try:
        for obj in ijson.items(_Prefixed(head, body), "item"):
            yield _from_object(obj)
    except ijson.JSONError as exc:
        raise BadBodyError(f"The body is not valid JSON: {exc}", pointer="") from exc
    except decimal.InvalidOperation as exc:  # yajl2_c: an exponent beyond Decimal's
        raise BadBodyError(
            "The body holds a number whose exponent is out of range.", pointer=""
        ) from exc
    except UnicodeDecodeError as exc:  # yajl writes a lone low surrogate as such
        raise BadBodyError(
            f"The body is not UTF-8, or a string holds a lone UTF-16 surrogate: {exc}",
            pointer="",
        ) from exc


def _load_line(line: str) -> Any:
    return json.loads(line, parse_float=Decimal)


def _text(body: IO[bytes]) -> io.TextIOWrapper:
    return io.TextIOWrapper(body, encoding="utf-8-sig", newline="")


def _ndjson(body: IO[bytes]) -> Iterator[RawRecord]:
    try:
        for number, line in enumerate(_text(body), 1):
            if not line.strip():
                continue
            try:
                obj = guard.loads(line, _load_line)
            except guard.TooDeepError as exc:  # a hostile body: refused whole
                raise guard.TooDeepError(f"Line {number}: {exc.detail}", "") from None
            except guard.UnstorableTextError as exc:
                yield f"{exc.detail} (at {exc.pointer or 'the top'} of this line)"
                continue
            except ValueError:
                yield "This line is not valid JSON."
                continue
            yield _from_object(obj)
    except UnicodeDecodeError as exc:
        raise BadBodyError(f"The body is not UTF-8: {exc}", pointer="") from exc


def _csv(body: IO[bytes]) -> Iterator[RawRecord]:
    try:
        reader: Iterator[list[Any]] = csv.reader(_text(body))
        header = next(reader, None)
        if header is None:
            return
        pick = _csv_picker(header)
        width = len(header)
        for rec in reader:
            if len(rec) != width:
                if not rec:
                    continue
                yield f"Expected {width} columns like the header, got {len(rec)}."
                continue
            rec.append(None)  # what absent columns pick
            yield pick(rec)
    except UnicodeDecodeError as exc:
        raise BadBodyError(f"The body is not UTF-8: {exc}", pointer="") from exc
    except csv.Error as exc:
        raise BadBodyError(f"The body is not valid CSV: {exc}", pointer="") from exc


def _csv_picker(header: list[str]) -> Callable[[list[Any]], tuple[Any, ...]]:
    names = [name.strip() for name in header]
    unknown = [name for name in names if name not in FIELDS]
    if unknown:
        raise BadBodyError(
            f"Unknown CSV column(s) {', '.join(map(repr, unknown))}; "
            f"the columns are {', '.join(FIELDS)}.",
            pointer="",
        )
    if len(set(names)) != len(names):
        raise BadBodyError("A CSV column appears twice in the header.", pointer="")
    for one_of in (("node_id", "eui64"), ("timestamp_s", "time"), ("co2_ppm",)):
        if not set(one_of) & set(names):
            raise BadBodyError(
                f"The CSV header needs a {' or '.join(one_of)} column.", pointer=""
            )
    # Index -1 is the None appended to every record.
    return operator.itemgetter(*(names.index(f) if f in names else -1 for f in FIELDS))
