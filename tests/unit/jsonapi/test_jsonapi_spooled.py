"""A document whose list was written to a spooled file reads as if dumped whole."""

from __future__ import annotations

import orjson
import pytest

from flask import Response

from app.jsonapi.spooled import SpooledList, answer_with_list, spliced_response, spool


def _document(samples: object) -> dict[str, object]:
    return {
        "data": {
            "type": "Node-Timeseries",
            "id": "n1",
            "attributes": {"node_alias": 'Tresen "links"', "samples": samples},
        },
        "links": {"self": "/api/v1/node-timeseries/n1/"},
    }


def _items(count: int) -> list[dict[str, object]]:
    return [
        {"timestamp_s": 1_700_000_000 + 300 * i, "co2_ppm": 400 + i, "t": "21.5"}
        for i in range(count)
    ]


@pytest.mark.parametrize("chunks", [[], [[]], [_items(1)], [_items(3), _items(2), []]])
def test_the_spliced_body_is_the_whole_document_dumped_at_once(
    chunks: list[list[dict[str, object]]],
) -> None:
    spooled = spool(chunks)
    response = spliced_response(_document(spooled), spooled)

    body = b"".join(response.response)  # type: ignore[arg-type]
    everything = [item for chunk in chunks for item in chunk]
    assert body == orjson.dumps(_document(everything))
    assert response.content_length == len(body)
    assert response.mimetype == "application/vnd.api+json"
    assert spooled.count == len(everything)


def test_a_list_larger_than_its_memory_goes_to_a_file_and_is_removed_after() -> None:
    spooled = SpooledList(memory_bytes=1024)
    for _ in range(20):
        spooled.extend(_items(50))
    assert spooled.file._rolled  # type: ignore[attr-defined]  # on disk, not in memory
    response = spliced_response(_document(spooled), spooled)

    body = b"".join(response.response)  # type: ignore[arg-type]

    assert orjson.loads(body)["data"]["attributes"]["samples"] == _items(50) * 20
    assert spooled.file.closed


def test_a_document_without_its_list_is_refused() -> None:
    spooled = spool([_items(2)])
    with pytest.raises(ValueError, match="does not hold"):
        spliced_response(_document([]), spooled)
    assert spooled.file.closed


def test_an_answer_with_a_list_reads_as_the_apps_json_provider_writes() -> None:
    """As Flask's JSON responses: the document, then a newline; without a list the
    document itself goes to the provider."""
    assert answer_with_list(None, _document) == _document(None)

    response = answer_with_list([_items(2), _items(1)], _document)

    assert isinstance(response, Response)
    body = b"".join(response.response)  # type: ignore[arg-type]
    assert body == orjson.dumps(_document(_items(2) + _items(1))) + b"\n"
    assert response.content_length == len(body)
