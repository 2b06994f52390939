"""Posting back-office forms as a browser does (with the page's CSRF token).

Commit the test's session before a request that may fail: the request shares
it, and its rollback would otherwise take the arranged rows with it.
"""

from __future__ import annotations

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
