"""Pagination: pages, DRF-JSON:API links and meta, SQL slicing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from sqlalchemy import column, table

from app.errors import NotFoundError
from app.jsonapi import Page, QueryParams, paginate

URL = "http://api.example.org/api/v1/sites/"
SITES = table("sites", column("id"), column("name"))


def link(query: str) -> str:
    """Return the list URL with ``query``."""
    return f"{URL}?{query}"


@pytest.fixture(autouse=True)
def request_context(app: Flask) -> Iterator[None]:
    """Run inside a request (the builders read its URL when not given one)."""
    with app.test_request_context("/api/v1/sites/", base_url="http://api.example.org"):
        yield


def test_paginate_without_page_size_one_page_with_everything() -> None:
    page = paginate(5, QueryParams(), base_url=URL, args=MultiDict())

    assert (page.offset, page.limit) == (0, None)
    assert page.meta == {"pagination": {"page": 1, "pages": 1, "count": 5}}
    assert page.links == {
        "first": link("page%5Bnumber%5D=1"),
        "last": link("page%5Bnumber%5D=1"),
        "next": None,
        "prev": None,
    }


def test_paginate_empty_list_has_one_page() -> None:
    page = paginate(0, QueryParams(page_size=10), base_url=URL, args=MultiDict())

    assert page.meta == {"pagination": {"page": 1, "pages": 1, "count": 0}}


def test_paginate_middle_page_links_keep_other_params_sorted() -> None:
    args = MultiDict(
        [("page[size]", "2"), ("filter[organization]", "1"), ("page[number]", "2")]
    )
    params = QueryParams(page_number=2, page_size=2)

    page = paginate(5, params, base_url=URL, args=args)

    rest = "filter%5Borganization%5D=1&page%5Bnumber%5D={}&page%5Bsize%5D=2"
    assert page.links == {
        "first": link(rest.format(1)),
        "last": link(rest.format(3)),
        "next": link(rest.format(3)),
        "prev": link(rest.format(1)),
    }
    assert page.meta == {"pagination": {"page": 2, "pages": 3, "count": 5}}


def test_paginate_last_page_has_no_next() -> None:
    page = paginate(
        5, QueryParams(page_number=3, page_size=2), base_url=URL, args=MultiDict()
    )

    assert page.links["next"] is None
    assert (page.offset, page.limit) == (4, 2)


def test_paginate_page_beyond_last_is_404_invalid_page() -> None:
    with pytest.raises(NotFoundError, match=r"^Invalid page\.$"):
        paginate(5, QueryParams(page_number=4, page_size=2))


def test_paginate_second_page_without_size_is_404() -> None:
    with pytest.raises(NotFoundError):
        paginate(5, QueryParams(page_number=2))


def test_paginate_defaults_to_request_url() -> None:
    page = paginate(1, QueryParams())

    assert page.links["first"] == link("page%5Bnumber%5D=1")


def test_page_slice_returns_rows_of_page() -> None:
    page = Page(number=2, size=2, count=5, pages=3, links={})

    assert page.slice([1, 2, 3, 4, 5]) == [3, 4]


def test_list_view_paginated_response_has_page_rows_links_meta(
    client: FlaskClient,
) -> None:
    response = client.get("/api/v1/things/?page[size]=2&page[number]=3")

    assert response.status_code == 200
    assert response.json is not None
    assert [r["id"] for r in response.json["data"]] == ["5"]
    assert response.json["meta"] == {"pagination": {"page": 3, "pages": 3, "count": 5}}
    assert response.json["links"]["prev"] == (
        "http://localhost/api/v1/things/?page%5Bnumber%5D=2&page%5Bsize%5D=2"
    )


def test_list_view_page_out_of_range_is_404_jsonapi(client: FlaskClient) -> None:
    response = client.get("/api/v1/things/?page[number]=2")

    assert response.status_code == 404
    assert response.json == {
        "errors": [
            {
                "status": "404",
                "code": "not_found",
                "title": "Not found",
                "detail": "Invalid page.",
            }
        ]
    }
