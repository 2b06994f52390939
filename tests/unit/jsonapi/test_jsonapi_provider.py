"""The JSON:API provider writes compact responses with orjson, text as Flask's would be."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from app.jsonapi.media import JsonApiProvider, install_json_provider


@dataclasses.dataclass
class Point:
    x: int
    label: str


def _providers() -> tuple[JsonApiProvider, DefaultJSONProvider]:
    app = Flask(__name__)
    install_json_provider(app)
    reference = DefaultJSONProvider(app)
    reference.sort_keys = False
    reference.ensure_ascii = False
    assert isinstance(app.json, JsonApiProvider)
    return app.json, reference


DOCUMENT = {
    "data": {
        "type": "Sample",
        "id": uuid.UUID("8d3c3f52-2f6e-4bdf-8d4a-8a2c1e1c0d5e"),
        "attributes": {
            "zeta": 1,
            "alpha": "Raum 2 \u2013 Küche",
            "temperature_celsius": Decimal("21.5"),
            "seen": datetime(2026, 11, 29, 12, 30, tzinfo=UTC),
            "day": date(2026, 11, 29),
            "point": Point(3, "ä"),
            "ratio": 0.1,
            "none": None,
            "nested": [True, False, {"2": 2}],
        },
    },
    "meta": {1: "int key"},
}


def test_compact_output_equals_the_standard_library_output() -> None:
    fast, reference = _providers()

    compact = {"separators": (",", ":")}

    assert fast.dumps(DOCUMENT, **compact) == reference.dumps(DOCUMENT, **compact)


def test_response_body_keeps_key_order_and_readable_text() -> None:
    fast, _ = _providers()

    body = fast.dumps({"b": "Grüße", "a": 1}, separators=(",", ":"))

    assert body == '{"b":"Grüße","a":1}'


def test_integers_beyond_64_bits_fall_back_to_the_standard_library() -> None:
    fast, _ = _providers()

    body = fast.dumps({"big": 2**70}, separators=(",", ":"))

    assert json.loads(body) == {"big": 2**70}


def test_other_calls_keep_the_standard_library_format() -> None:
    fast, reference = _providers()

    assert (
        fast.dumps({"a": [1, 2]}) == reference.dumps({"a": [1, 2]}) == '{"a": [1, 2]}'
    )
    assert fast.dumps({"a": 1}, indent=2) == reference.dumps({"a": 1}, indent=2)
