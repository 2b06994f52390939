"""The list pages' rows, their actions rendered once per page, are flask-admin's HTML."""

from __future__ import annotations

import re
from functools import partial
from typing import Any

import pytest
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.tools import iterencode

from flask import Flask, url_for
from flask.testing import FlaskClient

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.admin import EXTENSION
from app.admin.base import utc_time
from app.models import Node
from tests.factories import make_installation, make_node, make_samples, make_user
from tests.support.accounts import CSRF_FIELD
from tests.support.admin_forms import page_text, press

#: Signed CSRF tokens (``payload.time.signature``) carry their time, and every
#: page has a CSP nonce of its own: two renderings differ there only.
CSRF_VALUE = re.compile(r'(value=")[\w-]+\.[\w-]+\.[\w-]+"')
NONCE = re.compile(r'nonce(-[\w-]+|="[^"]*")')
GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


def _normal(html: str) -> str:
    """The page without its token, nonces and the whitespace between tags."""
    html = NONCE.sub("", CSRF_VALUE.sub(r'\1"', html))
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html))


def _view(app: Flask, name: str) -> Any:
    return next(
        v for v in app.extensions[EXTENSION]._views if v.endpoint == f"admin_{name}"
    )


def _page(browser: FlaskClient, url: str, headers: dict[str, str]) -> str:
    answer = browser.get(url, headers=headers)
    assert answer.status_code == 200
    return _normal(page_text(answer))


@pytest.mark.parametrize("headers", [{}, GERMAN], ids=["en", "de"])
@pytest.mark.parametrize(
    "name", ["node", "installation", "user", "sample"], ids=lambda n: n
)
def test_list_rows_are_flask_admins_html(
    app: Flask,
    session: Session,
    staff_client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    headers: dict[str, str],
) -> None:
    installs = [make_installation(session) for _ in range(3)]
    node = installs[0].node
    make_samples(session, node, count=3)  # ids with a space, "+" and ":"
    make_user(session), make_user(session)  # three with the staff user
    session.commit()
    # Sorted and filtered, so the return URL carries a query of its own.
    url = f"/admin/{name}/?sort=0&desc=1&page_size=20"
    if name == "sample":
        url += f"&flt0_0={node.eui64}"
    staff_client.get(url)  # shows (and consumes) the log-in's flash message
    ours = _page(staff_client, url, headers)
    view = _view(app, name)
    # flask-admin's own list template and row actions: a macro per action.
    monkeypatch.setattr(view, "list_template", "admin/model/list.html")
    monkeypatch.setattr(
        view, "get_list_row_actions", partial(ModelView.get_list_row_actions, view)
    )
    stock = _page(staff_client, url, headers)

    assert ours == stock
    assert ours.count('class="list-buttons-column"') == 3


def test_row_links_are_url_for_of_each_row(
    app: Flask, session: Session, staff_client: FlaskClient
) -> None:
    node = make_node(session)
    samples = make_samples(session, node, count=3)
    session.commit()
    url = f"/admin/sample/?flt0_0={node.eui64}"
    body = page_text(staff_client.get(url))

    links = re.findall(r'href="(/admin/sample/details/\?[^"]*)"', body)
    with app.test_request_context():
        wanted = [
            url_for(
                "admin_sample.details_view",
                id=iterencode((s.node_id, s.time)),
                url=f"/admin/sample/?page_size=50&flt0_0={node.eui64}",
            ).replace("&", "&amp;")
            for s in reversed(samples)
        ]
    assert links == wanted


def test_each_rows_delete_form_deletes_that_row(
    session: Session, staff_client: FlaskClient
) -> None:
    nodes = [make_node(session) for _ in range(3)]
    session.commit()
    staff_client.get("/admin/node/")
    doomed = sorted(nodes, key=lambda n: n.eui64)[1]  # a row after the first

    answer = press(
        staff_client, "/admin/node/", "/admin/node/delete/", id=str(doomed.id)
    )

    assert answer.status_code == 302
    session.expire_all()
    left = set(session.scalars(select(Node.id)))
    assert doomed.id not in left
    assert {n.id for n in nodes} - {doomed.id} <= left


def test_delete_forms_carry_the_pages_csrf_token(
    staff_client: FlaskClient, session: Session
) -> None:
    for _ in range(3):
        make_node(session)
    session.commit()
    body = page_text(staff_client.get("/admin/node/"))

    tokens = re.findall(
        rf'<input id="{CSRF_FIELD}" name="{CSRF_FIELD}" type="hidden" value="([^"]+)"',
        body,
    )
    ids = re.findall(r'<input id="id" name="id" type="hidden" value="([^"]+)"', body)
    assert len(ids) == 3
    assert len(tokens) >= 3
    assert len(set(tokens)) == 1


@pytest.mark.parametrize("rows", [2, 12])
def test_a_list_page_builds_its_urls_once_not_per_row(
    app: Flask,
    session: Session,
    staff_client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    rows: int,
) -> None:
    node = make_node(session)
    make_samples(session, node, count=rows)
    session.commit()
    url = f"/admin/sample/?flt0_0={node.eui64}"
    staff_client.get(url)
    built: list[str] = []
    real = app.url_for

    def counting(endpoint: str, **values: Any) -> str:
        built.append(endpoint)
        return real(endpoint, **values)

    monkeypatch.setattr(app, "url_for", counting)
    body = page_text(staff_client.get(url))

    assert body.count('class="list-buttons-column"') == rows
    assert built.count(".details_view") == 1


def test_sample_rows_keep_their_encoded_key(
    session: Session, staff_client: FlaskClient
) -> None:
    node = make_node(session)
    (sample,) = make_samples(session, node, count=1)
    session.commit()
    body = page_text(staff_client.get(f"/admin/sample/?flt0_0={node.eui64}"))
    (link,) = re.findall(r'href="(/admin/sample/details/\?[^"]*)"', body)

    answer = staff_client.get(link.replace("&amp;", "&"))

    assert answer.status_code == 200
    assert utc_time(None, sample.time) in page_text(answer)
