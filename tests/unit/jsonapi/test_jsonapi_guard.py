"""The JSON guard: depth measured on the raw text, strings the database can store."""

from __future__ import annotations

import json
import time
import tracemalloc
from typing import Any

import pytest

from app.jsonapi.guard import (
    MAX_DEPTH,
    DepthGauge,
    TooDeepError,
    UnstorableTextError,
    check_depth,
    loads,
)


def _nested(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def _fed(text: bytes, limit: int, cut_every: int) -> bool:
    """Feed ``text`` in pieces of ``cut_every`` bytes; True when it was too deep."""
    gauge = DepthGauge(limit)
    try:
        for start in range(0, len(text), cut_every):
            gauge.feed(text[start : start + cut_every])
    except TooDeepError:
        return True
    return False


def test_loads_at_the_depth_limit_parses() -> None:
    text = _nested(MAX_DEPTH)

    assert loads(text) == json.loads(text)


def test_loads_one_level_beyond_the_limit_is_too_deep() -> None:
    with pytest.raises(TooDeepError) as caught:
        loads(_nested(MAX_DEPTH + 1))

    assert (caught.value.code, caught.value.pointer) == ("too_deep", "")
    assert str(MAX_DEPTH) in caught.value.detail


def test_loads_of_a_bracket_flood_stops_early_in_bounded_memory() -> None:
    flood = b"[" * 5_000_000 + b"]" * 5_000_000
    tracemalloc.start()
    started = time.perf_counter()

    with pytest.raises(TooDeepError):
        loads(flood)

    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1
    assert peak < 1_000_000  # one slice of the 10 MB text at a time


@pytest.mark.parametrize(
    "text",
    [
        '["' + "[" * 100 + '"]',  # brackets inside a string do not count
        '["\\"' + "[" * 100 + '"]',  # nor after an escaped quote
        '["\\\\", ' + _nested(MAX_DEPTH - 1) + "]",  # an escaped backslash ends
        '{"' + "{" * 100 + '": ' + _nested(MAX_DEPTH - 1) + "}",  # keys are strings
    ],
)
def test_check_depth_skips_string_contents_and_escapes(text: str) -> None:
    check_depth(text)  # no error

    assert json.loads(text) is not None


@pytest.mark.parametrize("cut_every", [1, 2, 3, 7, 64])
def test_gauge_fed_in_pieces_measures_as_on_the_whole_text(cut_every: int) -> None:
    inner = '"a\\\\", "b\\"]]]", "\\\\\\"[[["'
    text = json.dumps(json.loads(_nested(5, inner))).encode()

    assert not _fed(text, 5, cut_every)
    assert _fed(text, 4, cut_every)


@pytest.mark.parametrize(
    ("text", "pointer", "shown"),
    [
        ('{"data": {"attributes": {"name": "a\\ud800b"}}}', "/data/attributes/name", "\\ud800"),
        ('{"data": {"attributes": {"name": "a\\udfffb"}}}', "/data/attributes/name", "\\udfff"),
        ('{"data": [1, {"x": "a\\u0000b"}]}', "/data/1/x", "\\u0000"),
        ('{"data": {"a\\ud800": 1}}', "/data", "\\ud800"),
        ('"\\u0000"', "", "\\u0000"),
    ],
)  # fmt: skip
def test_loads_refuses_nul_and_lone_surrogates_at_their_member(
    text: str, pointer: str, shown: str
) -> None:
    with pytest.raises(UnstorableTextError) as caught:
        loads(text.encode())

    assert (caught.value.code, caught.value.pointer) == ("invalid_text", pointer)
    assert shown in caught.value.detail
    caught.value.detail.encode()  # the answer can be written


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "Küche \\ud83d\\ude00"}'.encode(),  # a surrogate pair is one character
        '{"name": "Küche 😀"}'.encode(),
        '{"name": "Küche"}'.encode("utf-16"),
    ],
)
def test_loads_accepts_what_json_means(raw: bytes) -> None:
    value: Any = loads(raw)

    assert value["name"].startswith("Küche")


def test_loads_of_raw_surrogate_bytes_is_refused_too() -> None:
    raw = b'{"name": "a\xed\xa0\x80b"}'  # json.loads decodes these with surrogatepass

    with pytest.raises(UnstorableTextError) as caught:
        loads(raw)

    assert caught.value.pointer == "/name"
