"""Malformed values in back-office forms and ids: an error on the form or "Record
does not exist.", never a database error's bare 400 page that loses the form."""

from __future__ import annotations

from html import unescape

import pytest

from flask.testing import FlaskClient

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Membership, Organization, Site, User
from tests.factories import make_address, make_organization, make_user
from tests.support.admin_forms import page_text, submit

NUL_REFUSED = "This field may not contain NUL characters."
NOT_A_CHOICE = "Not a valid choice"


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/admin/organization/new/", {"name": "Kita\x00", "description": ""}),
        ("/admin/organization/new/", {"name": "Kita", "description": "a\x00b"}),
        (
            "/admin/user/new/",
            {
                "username": "nul_user",
                "first_name": "An\x00na",
                "is_active": "y",
                "new_password": "Very-long-pass-123",
            },
        ),
    ],
)
def test_text_with_nul_is_refused_at_its_field(
    staff_client: FlaskClient, session: Session, url: str, data: dict[str, str]
) -> None:
    before = (_count(session, Organization), _count(session, User))

    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(staff_client, url, data)

    assert response.status_code == 200, page_text(response)[-2000:]
    assert NUL_REFUSED in unescape(page_text(response))
    assert (_count(session, Organization), _count(session, User)) == before


@pytest.mark.parametrize("raw", ["abc", "9" * 23, "-1", "\x00"])
def test_select2_id_that_cannot_be_a_key_is_not_a_valid_choice(
    staff_client: FlaskClient, session: Session, raw: str
) -> None:
    address = make_address(session)
    before = _count(session, Site)

    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(
        staff_client,
        "/admin/site/new/",
        {"name": "Schule", "operator": raw, "address": str(address.id)},
    )

    assert response.status_code == 200, page_text(response)[-2000:]
    assert NOT_A_CHOICE in page_text(response)
    assert _count(session, Site) == before


def test_inline_member_that_cannot_be_a_key_is_not_a_valid_choice(
    staff_client: FlaskClient, session: Session
) -> None:
    org = make_organization(session)
    before = _count(session, Membership)

    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(
        staff_client,
        f"/admin/organization/edit/?id={org.id}",
        {
            "name": org.name,
            "memberships-0-user": "abc",
            "memberships-0-role": "O",
        },
    )

    assert response.status_code == 200, page_text(response)[-2000:]
    assert NOT_A_CHOICE in page_text(response)
    assert _count(session, Membership) == before


@pytest.mark.parametrize("view", ["organization", "user", "installation", "node"])
@pytest.mark.parametrize("page", ["details", "edit"])
@pytest.mark.parametrize("raw", ["abc", "9" * 23])
def test_page_of_an_id_that_cannot_be_a_key_says_there_is_no_such_record(
    staff_client: FlaskClient, view: str, page: str, raw: str
) -> None:
    response = staff_client.get(f"/admin/{view}/{page}/", query_string={"id": raw})

    assert response.status_code == 302, page_text(response)[-2000:]
    listing = page_text(staff_client.get(response.headers["Location"]))
    assert "Record does not exist." in listing


def test_delete_of_an_id_that_cannot_be_a_key_says_there_is_no_such_record(
    staff_client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    session.commit()

    response = submit(
        staff_client,
        "/admin/user/delete/",
        {"id": "abc", "url": "/admin/user/"},
        form_url="/admin/user/",
    )

    assert response.status_code == 302
    assert "Record does not exist." in page_text(staff_client.get("/admin/user/"))
    assert session.get(User, user.id) is not None


@pytest.mark.parametrize("query", [{"query": "a\x00"}, {"query": "a", "offset": "-1"}])
def test_select2_lookup_of_hostile_text_or_offset_answers_a_list(
    staff_client: FlaskClient, session: Session, query: dict[str, str]
) -> None:
    make_organization(session, name="abc")
    session.commit()

    response = staff_client.get(
        "/admin/site/ajax/lookup/", query_string={"name": "operator", **query}
    )

    assert response.status_code == 200, page_text(response)[-2000:]
    assert isinstance(response.get_json(), list)
