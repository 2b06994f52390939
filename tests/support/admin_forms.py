"""Posting back-office forms as a browser does (with the page's CSRF token).

Commit the test's session before a request that may fail: the request shares
it, and its rollback would otherwise take the arranged rows with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.support.accounts import CSRF_FIELD, form_token


def submit(
    client: FlaskClient, url: str, data: dict[str, Any], *, form_url: str | None = None
) -> TestResponse:
    """GET ``form_url`` (default ``url``), then POST ``data`` with its CSRF token."""
    page = client.get(form_url or url)
    assert page.status_code == 200, page.status_code
    token = form_token(page.get_data(as_text=True))
    return client.post(url, data={CSRF_FIELD: token, **data})


def page_text(response: TestResponse) -> str:
    """The response body as text."""
    return response.get_data(as_text=True)


def delete_row(client: FlaskClient, view: str, ident: object) -> TestResponse:
    """Press a row's delete button in ``/admin/<view>/``; return the list shown after.

    The list page carries the flashed outcome (deleted, or why not).
    """
    listing = f"/admin/{view}/"
    response = submit(
        client,
        f"/admin/{view}/delete/",
        {"id": str(ident), "url": listing},
        form_url=listing,
    )
    assert response.status_code == 302, response.status_code
    return client.get(listing)


def delete_rows(
    client: FlaskClient, view: str, idents: Sequence[object]
) -> tuple[TestResponse, TestResponse]:
    """Tick rows of ``/admin/<view>/`` and choose "With selected" -> "Delete".

    Returns the action's answer and the list shown after (with the flashed
    outcome: how many were deleted, or why not).
    """
    listing = f"/admin/{view}/"
    response = submit(
        client,
        f"/admin/{view}/action/",
        {"action": "delete", "rowid": [str(i) for i in idents], "url": listing},
        form_url=listing,
    )
    return response, client.get(listing)


class _Forms(HTMLParser):
    """Each form of a page: its action and its hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.forms.append((found.get("action") or "", {}))
        elif tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.forms[-1][1][str(found["name"])] = found.get("value") or ""


def press(
    client: FlaskClient, page_url: str, action: str, **carrying: str
) -> TestResponse:
    """Press the button of the form on ``page_url`` posting to ``action`` (the first
    one carrying the hidden fields ``carrying``, where several post there).

    Posts only what that form itself carries (its CSRF token and hidden fields), so
    a form that lost one of them fails as it would in a browser.
    """
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    forms = _Forms()
    forms.feed(page.get_data(as_text=True))
    fields = next(
        (
            fields
            for url, fields in forms.forms
            if url == action and carrying.items() <= fields.items()
        ),
        None,
    )
    assert fields is not None, forms.forms
    assert CSRF_FIELD in fields, fields
    return client.post(action, data=fields)
