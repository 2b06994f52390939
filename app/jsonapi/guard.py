"""Untrusted JSON text: bounded nesting, and only strings the database can store.

Every reader of a request body goes through here: JSON:API bodies (the JSON
provider and the webargs parser), the single-sample fast path, the LoRaWAN
webhooks, NDJSON lines and streamed JSON arrays.

* Nesting deeper than :data:`MAX_DEPTH` levels is refused *before* a parser sees
  the text. The standard library recurses once per level (about 1,000 levels
  end in a ``RecursionError``, a 500), and ijson keeps the path of every open
  level (100,000 levels took gigabytes). A request document needs few levels:
  a Sample document five, a network server's uplink under ten; 32 leaves room
  and stays cheap. The scan skips string contents and escapes, so brackets
  inside strings do not count, and it runs at C speed in bounded memory.
* Strings holding NUL or a lone UTF-16 surrogate (``"\\ud800"``) are refused
  with a pointer to the member: JSON's escapes allow both, but PostgreSQL text
  cannot store NUL and UTF-8 cannot encode a lone surrogate, so they would
  otherwise end in a database error or a 500 while the answer is written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate
from typing import Any

from app.errors import ValidationError
from app.jsonapi.exceptions import ParameterError, json_pointer

MAX_DEPTH = 32

_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1, +1, -1, -1 as int8
_NOT_STRUCTURAL = bytes(b for b in range(256) if b not in b'"[]{}')
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_UTF8 = frozenset({"utf-8", "utf-8-sig"})
_SLICE = 64 * 1024


class TooDeepError(ValidationError):
    """The JSON text nests deeper than :data:`MAX_DEPTH` levels (400)."""

    code = "too_deep"


class UnstorableTextError(ValidationError):
    """A string holds NUL or a lone UTF-16 surrogate (400 at the member)."""

    code = "invalid_text"


class DepthGauge:
    """Follows the nesting depth of JSON text fed in pieces, such as a streamed body.

    Per piece: escaped backslashes and quotes are dropped, all but quotes and
    brackets too; what is left is split at the quotes, and the brackets outside
    strings are summed up (+1, -1) to find the deepest level. An escape cut in two waits for the next piece. The depth
    is exact for any text that is JSON up to that point; text that is not
    (depth below zero, say) is the parser's to refuse, which it does before it
    reads on.
    """

    def __init__(self, limit: int = MAX_DEPTH) -> None:
        self.limit = limit
        self._depth = 0
        self._in_string = False
        self._backslash = b""

    def feed(self, piece: bytes) -> None:
        """Take the next piece of UTF-8 text.

        Raises:
            TooDeepError: the text so far nests deeper than ``limit``.
        """
        # Slices bound the copies made per step, and a bracket flood stops early.
        for start in range(0, len(piece), _SLICE):
            self._feed(piece[start : start + _SLICE])

    def _feed(self, piece: bytes) -> None:
        data = self._backslash + piece
        if b"\\" in data:
            odd = (len(data) - len(data.rstrip(b"\\"))) % 2
            self._backslash = b"\\" if odd else b""
            data = data[: len(data) - odd]
            data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
        # Quotes and brackets only: a sample is a dozen bytes here, and the parts
        # between quotes are mostly empty (shared objects, nothing allocated).
        parts = data.translate(None, _NOT_STRUCTURAL).split(b'"')
        outside = b"".join(parts[1 if self._in_string else 0 :: 2])
        if len(parts) % 2 == 0:
            self._in_string = not self._in_string
        steps = outside.translate(_STEPS)
        opens = steps.count(1)
        # Fewer opening brackets than the room left cannot reach the limit (a
        # request's usual case: no walk); else the walk stops at the first level
        # past it, so a flood costs a few steps rather than one int per bracket.
        if self._depth + opens > self.limit:
            levels = accumulate(memoryview(steps).cast("b"), initial=self._depth)
            if any(level > self.limit for level in levels):
                raise TooDeepError(
                    f"The JSON text nests deeper than {self.limit} levels; "
                    "no request document needs that many.",
                    pointer="",
                )
        self._depth += opens - steps.count(0xFF)


def check_depth(text: str | bytes, limit: int = MAX_DEPTH) -> None:
    """Refuse a whole JSON text that nests deeper than ``limit`` levels.

    Raises:
        TooDeepError: it does.
    """
    if isinstance(text, bytes):
        opens = text.count(b"[") + text.count(b"{")
    else:
        opens = text.count("[") + text.count("{")
    if opens > limit:  # else it cannot be that deep
        raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
        DepthGauge(limit).feed(raw)


def unstorable_character(text: str) -> str | None:
    """Return the first character of ``text`` the database cannot store (NUL, a
    lone surrogate), or None."""
    match = _UNSTORABLE.search(text)
    return match.group() if match else None


def check_strings(value: Any) -> None:
    """Refuse a decoded document with a key or string the database cannot store.

    Raises:
        UnstorableTextError: the first such string, with its JSON pointer (a
            member name: the pointer to its object, which can be shown).
    """
    found = next(_unstorable(value, ()), None)
    if found is not None:
        path, char, is_key = found
        what = "A member name" if is_key else "Text"
        if char == "\x00":
            detail = f"{what} may not contain NUL characters (\\u0000)."
        else:
            detail = (
                f"{what} may not contain a lone UTF-16 surrogate "
                f"(\\u{ord(char):04x}); a character beyond U+FFFF is written as "
                "a pair of surrogates."
            )
        raise UnstorableTextError(detail, json_pointer(*path))


def check_query(pairs: Iterable[tuple[str, str]]) -> None:
    """Refuse query parameters whose name or value the database cannot store.

    A ``filter[search]=%00`` would otherwise reach a query and come back from
    PostgreSQL as a data error: a 400 that names no parameter at best.

    Raises:
        ParameterError: the first such parameter (``source.parameter``).
    """
    for name, value in pairs:
        if _UNSTORABLE.search(name) or _UNSTORABLE.search(value):
            shown = _UNSTORABLE.sub("?", name)
            raise ParameterError(
                f"Query parameter {shown} may not contain NUL characters (%00).",
                parameter=shown,
            )


def loads(text: str | bytes, parse: Callable[[Any], Any] = json.loads) -> Any:
    """Parse a whole JSON text (a body, an NDJSON line) within the limits above.

    Args:
        text: the JSON text; bytes in UTF-8, or in UTF-16/32 as ``json.loads``
            detects them.
        parse: the parser (``json.loads`` with options, or ``orjson.loads``).

    Returns:
        The decoded document.

    Raises:
        TooDeepError: nested deeper than :data:`MAX_DEPTH` (before parsing).
        UnstorableTextError: a string with NUL or a lone surrogate.
        ValueError: not JSON (whatever ``parse`` raises).
    """
    if isinstance(text, bytes) and json.detect_encoding(text) not in _UTF8:
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    check_depth(text)
    value = parse(text)
    escaped = b"\\u" in text if isinstance(text, bytes) else "\\u" in text
    if escaped or not text.isascii():  # else no string can hold either
        check_strings(value)
    return value


def _unstorable(
    value: Any, path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], str, bool]]:
    """Yield ``(path, character, is_key)`` for each string with NUL or a surrogate.

    Keys are looked at before their values, so the path of a finding never
    holds an unstorable name.
    """
    if isinstance(value, str):
        match = _UNSTORABLE.search(value)
        if match:
            yield path, match.group(), False
    elif isinstance(value, dict):
        for key, item in value.items():
            match = _UNSTORABLE.search(key)
            if match:
                yield path, match.group(), True
            yield from _unstorable(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable(item, (*path, index))
