"""Refusals: the answer is a JSON:API error naming the field, and nothing stored changed.

A refusal test states three things — the status, the field the error names
(``source.pointer`` in the body, ``source.parameter`` in the query or
``source.header``) and that
the request left the stored rows as they were — and :func:`assert_refused`
checks all three::

    assert_refused(
        client, "PATCH", f"/api/v1/sites/{site.id}/", 400,
        pointer="/data/attributes/name", unchanged=("sites",),
        json=body, headers=headers,
    )

``unchanged`` names the tables the request could have written (their rows are
compared before and after, as JSON), or is a callable whose value must not
change; ``()`` says the request writes nothing a test can see (a read).

An HTML page refuses with a page, not an error document: :func:`assert_page_refused`
checks the status, the form field marked invalid (or the message shown) and
the stored rows, around whatever sends the form (a CSRF token needs a GET first)::

    assert_page_refused(
        lambda: post_form(client, "/accounts/signup/", form), 200,
        field="email", unchanged=("users",),
    )
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.test import Client, TestResponse

from sqlalchemy import text

from app.extensions import db

JSONAPI = "application/vnd.api+json"
_TABLE = re.compile(r"^[a-z_][a-z0-9_]*$")
#: A field of ``account/_forms.html`` with errors: its ``div`` gets ``invalid``.
_INVALID_FIELD = re.compile(
    r'<div class="field invalid">(?:(?!</div>).)*?\bname="([^"]+)"', re.DOTALL
)

Unchanged = Callable[[], object] | Iterable[str]


def table_rows(*tables: str) -> Callable[[], dict[str, list[str]]]:
    """A snapshot of ``tables``: every row as JSON, sorted, read on the test's session."""
    for table in tables:
        if not _TABLE.match(table):
            raise ValueError(f"not a table name: {table!r}")

    def snapshot() -> dict[str, list[str]]:
        if not tables:
            return {}  # nothing to read: no session needed (the unit tier has none)
        session = db.session()
        return {
            table: sorted(
                session.execute(
                    text(f"SELECT to_jsonb(t)::text FROM {table} AS t")  # noqa: S608
                ).scalars()
            )
            for table in tables
        }

    return snapshot


def _snapshot(unchanged: Unchanged) -> Callable[[], object]:
    if callable(unchanged):
        return unchanged
    return table_rows(*unchanged)


def error_sources(response: TestResponse) -> list[dict[str, str]]:
    """The ``source`` of each error of a JSON:API error document."""
    body: Any = response.get_json()
    return [e.get("source", {}) for e in body["errors"]]


def assert_refused(
    client: Client,
    method: str,
    url: str,
    status: int,
    *,
    unchanged: Unchanged,
    pointer: str | None = None,
    parameter: str | None = None,
    header: str | None = None,
    **request: Any,
) -> TestResponse:
    """Send the request and assert it is refused with ``status`` and an error at
    ``pointer`` (or the query ``parameter``, or the request ``header``), leaving
    ``unchanged`` as it was.

    Without any of them the error names no field (a 403 or 404 about the whole
    request). ``request`` goes to ``client.open``.
    Returns the response for any further checks.
    """
    response = _unchanged_by(
        unchanged, lambda: client.open(url, method=method, **request), method, url
    )
    text_ = response.get_data(as_text=True)[:500]

    assert response.status_code == status, f"{method} {url}: {response.status} {text_}"
    assert response.mimetype == JSONAPI, f"{method} {url}: {response.mimetype}"
    body: Any = response.get_json()
    assert body["errors"], text_
    assert {e["status"] for e in body["errors"]} == {str(status)}, text_
    sources = error_sources(response)
    named = {"pointer": pointer, "parameter": parameter, "header": header}
    for kind, field in named.items():
        if field is not None:
            assert field in [s.get(kind) for s in sources], f"{field}: {text_}"
    if not any(named.values()):
        assert sources == [{}] * len(sources), f"names a field: {text_}"
    return response


def _unchanged_by(
    unchanged: Unchanged, send: Callable[[], TestResponse], *what: str
) -> TestResponse:
    """Send, and assert ``unchanged`` is as it was before."""
    snapshot = _snapshot(unchanged)
    if unchanged:
        # A refused request rolls the shared session back to its last commit:
        # commit what the test made so far, or its undoing would look like damage.
        db.session.commit()
    before = snapshot()
    response = send()
    assert snapshot() == before, f"{' '.join(what)} changed stored rows"
    return response


def invalid_fields(response: TestResponse) -> list[str]:
    """The ``name`` of each form field a page marks invalid (``div.field.invalid``)."""
    return _INVALID_FIELD.findall(response.get_data(as_text=True))


def assert_page_refused(
    send: Callable[[], TestResponse],
    status: int,
    *,
    unchanged: Unchanged,
    field: str | None = None,
    shows: str | None = None,
) -> TestResponse:
    """Call ``send`` and assert its HTML answer is ``status``, marks the form
    ``field`` invalid (its error beside it) and shows ``shows``, leaving
    ``unchanged`` as it was.

    A form re-shown with its errors is a refusal too (``status`` 200).
    Returns the response for any further checks.
    """
    response = _unchanged_by(unchanged, send, "the page")
    text_ = response.get_data(as_text=True)

    assert response.status_code == status, f"{response.status} {text_[:500]}"
    assert response.mimetype == "text/html", response.mimetype
    if field is not None:
        assert field in invalid_fields(response), f"{field} not marked invalid"
    if shows is not None:
        assert shows in text_, f"{shows!r} not shown"
    return response
