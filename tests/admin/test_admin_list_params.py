"""Hostile list parameters (filters, pages) answer a list, never a 500 or a bare 400."""

from __future__ import annotations

from html import unescape

import pytest
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.contrib.sqla.view import ModelView

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.admin import EXTENSION
from app.models import Role
from tests.factories import (
    make_fidelity,
    make_membership,
    make_node,
    make_organization,
    make_user,
)
from tests.support.admin_forms import page_text

ENUM_FILTERS = (
    sqla_filters.EnumEqualFilter,
    sqla_filters.EnumFilterNotEqual,
    sqla_filters.EnumFilterInList,
    sqla_filters.EnumFilterNotInList,
)


def _enum_filter_args(app: Flask) -> list[tuple[str, str]]:
    """(list URL, query argument) of every enum filter of every model view."""
    found = []
    for view in app.extensions[EXTENSION]._views:
        if isinstance(view, ModelView):
            for key, (_, flt) in (view._filter_args or {}).items():
                if isinstance(flt, ENUM_FILTERS):
                    found.append((view.url + "/", f"flt0_{key}"))
    return found


def test_every_enum_filter_refuses_an_unknown_value_on_the_list(
    app: Flask, staff_client: FlaskClient, session: Session
) -> None:
    make_membership(session, make_user(session), make_organization(session))
    make_fidelity(session, make_node(session))
    session.commit()
    args = _enum_filter_args(app)

    answers = {
        (url, arg): staff_client.get(url, query_string={arg: "no-such-role"})
        for url, arg in args
    }

    # a membership's role and a node's verdict: equals, not, in and not in a list
    assert {url for url, _ in args} == {"/admin/membership/", "/admin/fidelity/"}
    assert len(args) == 8
    for (url, arg), answer in answers.items():
        assert answer.status_code == 200, (url, arg, page_text(answer)[-2000:])
        assert "Invalid Filter Value: no-such-role" in unescape(page_text(answer))


def test_role_filter_still_filters_by_a_known_role(
    app: Flask, staff_client: FlaskClient, session: Session
) -> None:
    owner = make_membership(
        session, make_user(session), make_organization(session), Role.OWNER
    )
    session.commit()
    url, arg = next(
        (url, arg) for url, arg in _enum_filter_args(app) if url == "/admin/membership/"
    )

    answer = staff_client.get(url, query_string={arg: "OWNER"})

    assert answer.status_code == 200
    assert owner.user.username in page_text(answer)
    assert "Invalid Filter Value" not in page_text(answer)


@pytest.mark.parametrize("value", ["x", "\x00"])
def test_unknown_verdict_keeps_the_browser_working(
    staff_client: FlaskClient, app: Flask, value: str
) -> None:
    url, arg = next(
        (url, arg) for url, arg in _enum_filter_args(app) if url == "/admin/fidelity/"
    )

    assert staff_client.get(url, query_string={arg: value}).status_code == 200
    assert staff_client.get("/admin/").status_code == 200


def _list_urls(app: Flask) -> list[str]:
    return [
        view.url + "/"
        for view in app.extensions[EXTENSION]._views
        if isinstance(view, ModelView)
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"page": "-5"},
        {"page": "9" * 20},
        {"search": "Kita\x00"},
    ],
    ids=["negative-page", "page-past-bigint", "search-with-nul"],
)
def test_hostile_page_or_search_answers_the_list(
    app: Flask, staff_client: FlaskClient, session: Session, query: dict[str, str]
) -> None:
    make_organization(session, name="Kita")
    session.commit()

    answers = {
        url: staff_client.get(url, query_string=query) for url in _list_urls(app)
    }

    for url, answer in answers.items():
        assert answer.status_code == 200, (url, page_text(answer)[-2000:])


def test_text_filter_with_nul_answers_the_list(
    staff_client: FlaskClient, session: Session
) -> None:
    make_organization(session, name="Kita")
    session.commit()

    node_filter = staff_client.get("/admin/sample/", query_string={"flt0_0": "a\x00"})
    operator_filter = staff_client.get(
        "/admin/site/", query_string={"flt0_0": "Kita\x00"}
    )

    assert node_filter.status_code == 200
    assert operator_filter.status_code == 200


def test_negative_page_shows_the_first_page(
    staff_client: FlaskClient, session: Session
) -> None:
    org = make_organization(session, name="Kita Sonnenschein")
    session.commit()

    answer = staff_client.get("/admin/organization/", query_string={"page": "-5"})

    assert org.name in page_text(answer)
