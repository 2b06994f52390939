"""Batch body readers: size limit after decoding, read errors, record shapes."""

from __future__ import annotations

import gzip
import io
from typing import Any

import pytest

from app.blueprints.ingest import readers
from app.services.ingest.errors import BadBodyError, BodyTooLargeError


class Broken(io.RawIOBase):
    """A request stream whose client went away."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        raise OSError("connection reset")


def test_open_body_counts_the_decoded_bytes_against_the_limit() -> None:
    packed = gzip.compress(b"x" * 5000)
    body = readers.open_body(io.BytesIO(packed), len(packed), "gzip", 4000)

    with pytest.raises(BodyTooLargeError):
        body.read()


def test_open_body_broken_plain_stream_is_a_bad_body_without_header() -> None:
    body = readers.open_body(io.BufferedReader(Broken()), None, "", 1000)

    with pytest.raises(BadBodyError) as caught:
        body.read()

    assert caught.value.header is None


def test_json_records_yield_field_tuples_and_row_errors() -> None:
    raw = b'[{"node_id": "n", "timestamp_s": 1, "co2_ppm": 2, "extra": 0}, 7]'

    records = list(readers.records("application/json", io.BytesIO(raw)))

    assert records[0] == ("n", None, 1, None, 2, None, None, None)
    assert records[1] == "Each sample must be a JSON object."


def test_csv_records_leave_absent_columns_empty() -> None:
    raw = b"eui64,time,co2_ppm\nA8,2024-01-01T00:00:00Z,500\n"

    (record,) = readers.records("text/csv", io.BytesIO(raw))

    assert record == (None, "A8", None, "2024-01-01T00:00:00Z", "500", None, None, None)


def _json_records(raw: bytes) -> list[Any]:
    body = readers.open_body(io.BytesIO(raw), len(raw), "", len(raw))
    return list(readers.records("application/json", body))


@pytest.mark.parametrize(
    "raw",
    [
        b'[{"co2_ppm": ' + b"9" * 101 + b"}]",
        b'[{"co2_ppm": -' + b"9" * 101 + b"}]",
        b'[{"x": "' + b"1" * 101 + b'"}]',
        # the run cut in two by the reader's pieces
        b"[" + b" " * (readers.READ_BYTES - 50) + b"9" * 101 + b"]",
    ],
)
def test_json_array_run_of_more_digits_than_any_value_needs_is_refused(
    raw: bytes,
) -> None:
    """yajl2_c crashes the process (SIGSEGV) on an integer of 4,301 digits: such
    runs never reach it (the crash itself: test_hostile_bodies_server.py)."""
    with pytest.raises(BadBodyError) as caught:
        _json_records(raw)

    assert caught.value.pointer == ""
    assert f"longer than {readers.MAX_DIGITS} digits" in caught.value.detail


def test_json_array_run_of_digits_up_to_the_limit_is_read() -> None:
    raw = b"[" + b" " * (readers.READ_BYTES - 50) + b"9" * 100 + b", 1.5e17]"

    assert _json_records(raw) == ["Each sample must be a JSON object."] * 2


def test_json_array_exponent_beyond_decimal_is_a_bad_body() -> None:
    with pytest.raises(BadBodyError) as caught:
        _json_records(b'[{"co2_ppm": 1e' + b"9" * 19 + b"}]")

    assert caught.value.pointer == ""
