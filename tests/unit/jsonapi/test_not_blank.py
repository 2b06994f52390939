"""``not_blank`` reads the same in Python and in the OpenAPI document's regex dialect.

Clients and fuzzers validate names against the document's ``pattern`` (ECMA-262
regular expressions, as JSON Schema specifies); the server validates with Python's
``re``. Where the two dialects disagree about white space, a name valid by the
document is refused (or the other way round).
"""

from __future__ import annotations

import jsonschema_rs
import pytest

import marshmallow as ma

from app.jsonapi.attributes import not_blank

#: Every character either dialect might call white space (Python's all lie below
#: U+3100; ECMA-262 adds U+FEFF), and a few that neither does.
CANDIDATES = [chr(c) for c in range(0x3100) if chr(c).isspace()] + [
    "\ufeff", "a", "\u200b", "\x00", "\x1b", "\u00ad"
]  # fmt: skip


def _python_accepts(value: str) -> bool:
    try:
        not_blank(value)
    except ma.ValidationError:
        return False
    return True


@pytest.mark.parametrize("char", CANDIDATES, ids=lambda c: f"U+{ord(c):04X}")
def test_python_and_the_documents_pattern_agree(char: str) -> None:
    document = jsonschema_rs.validator_for(
        {"type": "string", "pattern": not_blank.regex.pattern}
    )
    for value in (char, f" {char} ", f"{char}x"):
        assert _python_accepts(value) == document.is_valid(value), repr(value)


def test_white_space_alone_is_blank_and_anything_else_is_not() -> None:
    assert not _python_accepts("\x1c \u3000\t")
    assert _python_accepts("\x1c Tresen")
