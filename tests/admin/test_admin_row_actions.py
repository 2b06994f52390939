"""The list pages' delete buttons, rendered once per page, are the macro's HTML."""

from __future__ import annotations

import re
from functools import partial

import pytest
from flask_admin.contrib.sqla import ModelView

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from tests.factories import make_node

#: Signed CSRF tokens (``payload.time.signature``) carry their time: two pages
#: differ there only.
CSRF_VALUE = re.compile(r'(value=")[\w-]+\.[\w-]+\.[\w-]+"')


def _page(browser: FlaskClient) -> str:
    answer = browser.get("/admin/node/")
    assert answer.status_code == 200
    return CSRF_VALUE.sub(r'\1"', answer.get_data(as_text=True))


def test_delete_buttons_are_the_macros_html(
    app: Flask,
    session: Session,
    staff_client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    nodes = [make_node(session) for _ in range(3)]
    session.commit()
    _page(staff_client)  # shows (and consumes) the log-in's flash message
    ours = _page(staff_client)
    view = next(
        v for v in app.extensions["admin"][0]._views if v.endpoint == "admin_node"
    )
    # flask-admin's own row actions: the macro renders every row's button.
    monkeypatch.setattr(
        view, "get_list_row_actions", partial(ModelView.get_list_row_actions, view)
    )
    stock = _page(staff_client)
    assert ours == stock
    for node in nodes:
        assert ours.count(f'name="id" type="hidden" value="{node.id}"') == 1
