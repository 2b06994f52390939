"""CSRF: the csrftoken cookie echoed in X-CSRFToken guards session-authenticated calls."""

from __future__ import annotations

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import User
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import (
    AUTH,
    api_login,
    csrf_cookie,
    doc,
    html_login,
    json_of,
)
from tests.support.refusals import assert_page_refused, assert_refused


def _patch_name(
    client: FlaskClient, user: User, headers: dict[str, str] | None = None
) -> int:
    resp = client.patch(
        f"{AUTH}/user/",
        json=doc("User", str(user.id), first_name="Renamed"),
        headers=headers or {},
    )
    return resp.status_code


def test_session_from_html_login_patch_without_csrf_header_is_403(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    html_login(client, user.username, DEFAULT_PASSWORD)

    resp = client.patch(
        f"{AUTH}/user/", json=doc("User", str(user.id), first_name="Renamed")
    )

    assert resp.status_code == 403
    assert resp.mimetype == "application/vnd.api+json"
    error = json_of(resp)["errors"][0]
    assert error["detail"].startswith("CSRF Failed")
    assert error["source"] == {"header": "X-CSRFToken"}


def test_session_from_html_login_patch_with_csrf_header_is_200(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    html_login(client, user.username, DEFAULT_PASSWORD)

    status = _patch_name(client, user, {"X-CSRFToken": csrf_cookie(client)})

    assert status == 200
    session.refresh(user)
    assert user.first_name == "Renamed"


def test_session_from_html_login_wrong_csrf_header_is_403(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    html_login(client, user.username, DEFAULT_PASSWORD)

    assert_refused(
        client,
        "PATCH",
        f"{AUTH}/user/",
        403,
        json=doc("User", str(user.id), first_name="Renamed"),
        headers={"X-CSRFToken": "forged"},
        unchanged=("users",),
        header="X-CSRFToken",
    )


def test_session_from_api_login_needs_csrf_too(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    api_login(client, DEFAULT_PASSWORD, username=user.username)

    without = _patch_name(client, user)
    with_header = _patch_name(client, user, {"X-CSRFToken": csrf_cookie(client)})

    assert without == 403
    assert with_header == 200


def test_csrf_header_name_is_case_insensitive(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    html_login(client, user.username, DEFAULT_PASSWORD)

    status = _patch_name(client, user, {"X-CSRFTOKEN": csrf_cookie(client)})

    assert status == 200


def test_token_authenticated_patch_needs_no_csrf(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    key = json_of(api_login(client, DEFAULT_PASSWORD, username=user.username))["data"][
        "id"
    ]

    status = _patch_name(client, user, {"Authorization": f"Token {key}"})

    assert status == 200


def test_session_get_needs_no_csrf(client: FlaskClient, session: Session) -> None:
    user = make_user(session)
    html_login(client, user.username, DEFAULT_PASSWORD)

    resp = client.get(f"{AUTH}/user/")

    assert resp.status_code == 200


def test_session_logout_without_csrf_is_403(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    html_login(client, user.username, DEFAULT_PASSWORD)

    refused = client.post(f"{AUTH}/logout/")
    accepted = client.post(
        f"{AUTH}/logout/", headers={"X-CSRFToken": csrf_cookie(client)}
    )
    after = client.get(f"{AUTH}/user/")

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert after.status_code == 401
    assert client.get_cookie("csrftoken") is None


def test_api_login_with_a_session_needs_no_csrf(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    html_login(client, user.username, DEFAULT_PASSWORD)

    resp = api_login(client, DEFAULT_PASSWORD, username=user.username)

    assert resp.status_code == 200


def test_html_form_post_without_token_is_403(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    client.get("/accounts/login/")

    assert_page_refused(
        lambda: client.post(
            "/accounts/login/",
            data={"login": user.username, "password": DEFAULT_PASSWORD},
        ),
        403,
        unchanged=("users", "logins"),
    )
    assert client.get(f"{AUTH}/user/").status_code == 401


def test_logged_out_session_cookie_copied_earlier_stays_dead(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    html_login(client, user.username, DEFAULT_PASSWORD)
    stolen = client.get_cookie("sessionid")
    assert stolen is not None
    client.post(f"{AUTH}/logout/", headers={"X-CSRFToken": csrf_cookie(client)})

    client.set_cookie("sessionid", stolen.value)
    assert_refused(client, "GET", f"{AUTH}/user/", 401, unchanged=("users",))
