"""Who may change whose account in the back office.

Staff change ordinary accounts and their own; only superusers grant or revoke
staff or superuser status, or change another staff user's or a superuser's
account. A refused change leaves the row as it was.
"""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import ForbiddenError
from app.models import User
from app.services.access import Actor, actor_for
from app.services.accounts import staff_users, tokens
from tests.admin.conftest import signed_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import api_login
from tests.support.admin_forms import delete_row, delete_rows, page_text, submit

NEW_PASSWORD = "ein-ganz-neues-passwort"
REFUSED = "Only superusers may"
ME = "/api/v1/auth/user/"
#: Form changes per action; None unticks a checkbox.
CHANGES: dict[str, dict[str, str | None]] = {
    "edit": {"first_name": "Geändert"},
    "password": {"new_password": NEW_PASSWORD},
    "grant": {"is_staff": "y", "is_superuser": "y"},
    "revoke": {"is_staff": None, "is_superuser": None},
}
#: (acting user, account, action, allowed); staff have no switches on their form,
#: so "revoke" (unticked switches) leaves their own account as it is.
CASES = [
    ("staff", "user", "edit", True),
    ("staff", "user", "password", True),
    ("staff", "user", "grant", False),
    ("staff", "user", "delete", True),
    ("staff", "user", "bulk-delete", True),
    ("staff", "self", "edit", True),
    ("staff", "self", "password", True),
    ("staff", "self", "grant", False),
    ("staff", "self", "revoke", None),
    ("staff", "other_staff", "edit", False),
    ("staff", "other_staff", "password", False),
    ("staff", "other_staff", "grant", False),
    ("staff", "other_staff", "revoke", False),
    ("staff", "other_staff", "delete", False),
    ("staff", "other_staff", "bulk-delete", False),
    ("staff", "superuser", "edit", False),
    ("staff", "superuser", "password", False),
    ("staff", "superuser", "revoke", False),
    ("staff", "superuser", "delete", False),
    ("staff", "superuser", "bulk-delete", False),
    ("superuser", "user", "grant", True),
    ("superuser", "user", "password", True),
    ("superuser", "self", "edit", True),
    ("superuser", "self", "revoke", True),
    ("superuser", "other_staff", "edit", True),
    ("superuser", "other_staff", "password", True),
    ("superuser", "other_staff", "grant", True),
    ("superuser", "other_staff", "revoke", True),
    ("superuser", "other_staff", "delete", True),
    ("superuser", "superuser", "password", True),
    ("superuser", "superuser", "revoke", True),
    ("superuser", "superuser", "delete", True),
    ("superuser", "superuser", "bulk-delete", True),
]


def _account(session: Session, kind: str, me: User) -> User:
    if kind == "self":
        return me
    return make_user(
        session,
        is_staff=kind in ("other_staff", "superuser"),
        is_superuser=kind == "superuser",
    )


def _state(session: Session, user_id: int) -> tuple[Any, ...] | None:
    """Everything about an account a change could touch (None: deleted)."""
    session.expire_all()
    user = session.get(User, user_id)
    if user is None:
        return None
    return (
        user.username,
        user.first_name,
        user.is_active,
        user.is_staff,
        user.is_superuser,
        user.password_hash,
    )


def _edit_form(user: User, changes: dict[str, str | None]) -> dict[str, str]:
    """The edit form of ``user`` as a superuser's browser sends it, with ``changes``."""
    data: dict[str, str | None] = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "locale": user.locale or "",
        "new_password": "",
    }
    for flag in ("email_verified", "is_active", "is_staff", "is_superuser"):
        data[flag] = "y" if getattr(user, flag) else None
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def _act(client: FlaskClient, user: User, action: str) -> TestResponse:
    if action == "delete":
        return delete_row(client, "user", user.id)
    if action == "bulk-delete":  # "With selected" -> "Delete"
        return delete_rows(client, "user", [user.id])[1]
    return submit(
        client, f"/admin/user/edit/?id={user.id}", _edit_form(user, CHANGES[action])
    )


@pytest.mark.parametrize(("actor", "target", "action", "allowed"), CASES)
def test_account_change_in_the_admin_follows_the_superuser_rule(
    request: pytest.FixtureRequest,
    session: Session,
    actor: str,
    target: str,
    action: str,
    allowed: bool | None,
) -> None:
    me: User = request.getfixturevalue(actor)
    client: FlaskClient = request.getfixturevalue(f"{actor}_client")
    user = _account(session, target, me)
    user_id = user.id
    session.commit()  # keep the arranged rows when the request rolls back
    before = _state(session, user_id)

    response = _act(client, user, action)

    after = _state(session, user_id)
    body = unescape(page_text(response))
    if not allowed:
        assert after == before
        assert (REFUSED in body) == (allowed is False)
        return
    assert REFUSED not in body
    assert after != before
    if action in ("delete", "bulk-delete"):
        assert after is None
    elif action == "grant":
        assert after is not None
        assert after[3:5] == (True, True)
    elif action == "revoke":
        assert after is not None
        assert after[3:5] == (False, False)


@pytest.mark.parametrize(("actor", "shown"), [("staff", False), ("superuser", True)])
def test_account_forms_show_the_switches_to_superusers_only(
    request: pytest.FixtureRequest, session: Session, actor: str, shown: bool
) -> None:
    client: FlaskClient = request.getfixturevalue(f"{actor}_client")
    user = make_user(session)

    pages = [
        client.get(f"/admin/user/edit/?id={user.id}"),
        client.get("/admin/user/new/"),
    ]

    for page in map(page_text, pages):
        assert ('name="is_staff"' in page) == shown
        assert ('name="is_superuser"' in page) == shown
        assert 'name="first_name"' in page


def test_staff_saving_their_own_form_stays_staff(
    staff_client: FlaskClient, session: Session, staff: User
) -> None:
    session.commit()  # keep the arranged rows when the request rolls back
    form = _edit_form(staff, CHANGES["edit"])
    del form["is_staff"]  # hidden from staff: the browser does not send it

    response = submit(staff_client, f"/admin/user/edit/?id={staff.id}", form)

    assert response.status_code == 302
    assert _state(session, staff.id) is not None
    assert staff.is_staff
    assert staff.first_name == "Geändert"


def test_staff_creating_a_superuser_is_refused(
    staff_client: FlaskClient, session: Session
) -> None:
    session.commit()  # keep the arranged rows when the request rolls back
    sent = {"username": "mallory", "is_superuser": "y", "new_password": NEW_PASSWORD}

    response = submit(staff_client, "/admin/user/new/", sent)

    assert response.status_code == 200
    assert REFUSED in unescape(page_text(response))
    assert session.scalar(select(User).where(User.username == "mallory")) is None


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_service_refuses_a_grant_by_staff_at_the_flags_pointer(
    session: Session, staff: User, flag: str
) -> None:
    user = make_user(session)
    actor: Actor = actor_for(session, staff)
    fields = staff_users.UserFields(
        username=user.username,
        is_staff=flag == "is_staff",
        is_superuser=flag == "is_superuser",
    )

    with pytest.raises(ForbiddenError) as refused:
        staff_users.update_user(session, actor, user, fields)

    assert refused.value.pointer == f"/data/attributes/{flag}"
    assert _state(session, user.id) is not None
    assert not user.is_staff
    assert not user.is_superuser


def _api_key(app: Flask, user: User) -> dict[str, str]:
    """Log ``user`` in through the API elsewhere; return the key's header."""
    response = api_login(app.test_client(), DEFAULT_PASSWORD, username=user.username)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Token {response.get_json()['data']['id']}"}


def test_staff_changing_their_own_password_stay_signed_in_here_only(
    app: Flask, staff_client: FlaskClient, session: Session, staff: User
) -> None:
    elsewhere = _api_key(app, staff)
    session.commit()  # keep the arranged rows when the request rolls back
    form = _edit_form(staff, CHANGES["password"])
    del form["is_staff"]  # hidden from staff: the browser does not send it

    response = submit(staff_client, f"/admin/user/edit/?id={staff.id}", form)

    assert response.status_code == 302
    assert staff_client.get("/admin/user/").status_code == 200
    assert app.test_client().get(ME, headers=elsewhere).status_code == 401


def test_a_new_password_for_someone_else_ends_all_their_log_ins_and_keys(
    app: Flask, superuser_client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    logged_in = _api_key(app, user)
    imported = {"Authorization": f"Token {tokens.issue_user_key(session, user).key}"}
    session.commit()  # keep the arranged rows when the request rolls back
    assert app.test_client().get(ME, headers=imported).status_code == 200

    response = _act(superuser_client, user, "password")

    assert response.status_code == 302
    for headers in (logged_in, imported):
        assert app.test_client().get(ME, headers=headers).status_code == 401
    assert superuser_client.get("/admin/user/").status_code == 200


def test_deactivating_an_account_ends_its_log_ins_and_keys_for_good(
    app: Flask, staff_client: FlaskClient, session: Session
) -> None:
    # The log-ins used to be refused only while the account was inactive:
    # ticking "Active" again let every old browser and key back in.
    user = make_user(session)
    browser = signed_in(app, user)
    key = _api_key(app, user)
    session.commit()  # keep the arranged rows when the request rolls back
    assert browser.get(ME).status_code == 200

    off = submit(
        staff_client,
        f"/admin/user/edit/?id={user.id}",
        _edit_form(user, {"is_active": None}),
    )
    on = submit(
        staff_client,
        f"/admin/user/edit/?id={user.id}",
        _edit_form(user, {"is_active": "y"}),
    )

    assert (off.status_code, on.status_code) == (302, 302)
    assert browser.get(ME).status_code == 401
    assert app.test_client().get(ME, headers=key).status_code == 401
    assert signed_in(app, user).get(ME).status_code == 200  # a new log-in works
