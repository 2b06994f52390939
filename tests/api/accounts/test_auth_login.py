"""REST log-in and log-out: the reference's catalogue §13.1 and its login rules."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.services.accounts.passwords import hash_password
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import AUTH, api_login, doc, json_of
from tests.support.refusals import assert_refused


def _anna(session: Session) -> None:
    make_user(
        session,
        username="annaAngestellte",
        email="anna@angestellte.de",
        first_name="Anna",
        last_name="Angestellte",
        password_hash=hash_password("anna"),
    )


def test_login_username_answers_200_with_a_key(
    client: FlaskClient, session: Session
) -> None:
    _anna(session)

    resp = api_login(client, "anna", username="annaAngestellte")

    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.api+json"
    data = json_of(resp)["data"]
    assert data["type"] == "LoginView"
    assert len(data["attributes"]["key"]) == 40
    assert data["id"] == data["attributes"]["key"]


def test_login_email_answers_200_with_a_key(
    client: FlaskClient, session: Session
) -> None:
    _anna(session)

    resp = api_login(client, "anna", email="anna@angestellte.de")

    assert resp.status_code == 200
    assert json_of(resp)["data"]["attributes"]["key"]


def test_login_email_in_username_field_works(
    client: FlaskClient, session: Session
) -> None:
    _anna(session)

    resp = api_login(client, "anna", username="ANNA@angestellte.de")

    assert resp.status_code == 200


def test_login_answers_bearer_token_pair(client: FlaskClient, session: Session) -> None:
    _anna(session)

    resp = api_login(client, "anna", username="annaAngestellte")

    attributes = json_of(resp)["data"]["attributes"]
    assert attributes["access_token"].count(".") == 2
    assert attributes["refresh_token"].count(".") == 2


def test_authenticated_request_without_token_401_with_token_200(
    client: FlaskClient, session: Session
) -> None:
    _anna(session)
    key = json_of(api_login(client, "anna", username="annaAngestellte"))["data"]["id"]
    client.delete_cookie("sessionid")

    anonymous = assert_refused(client, "GET", f"{AUTH}/user/", 401, unchanged=())
    with_token = client.get(f"{AUTH}/user/", headers={"Authorization": f"Token {key}"})

    assert anonymous.headers["WWW-Authenticate"].startswith("Token")
    assert with_token.status_code == 200


def test_logout_revokes_the_token(client: FlaskClient, session: Session) -> None:
    _anna(session)
    key = json_of(api_login(client, "anna", username="annaAngestellte"))["data"]["id"]
    client.delete_cookie("sessionid")
    headers = {"Authorization": f"Token {key}"}
    before = client.get(f"{AUTH}/user/", headers=headers)

    logout = client.post(f"{AUTH}/logout/", headers=headers)
    after = client.get(f"{AUTH}/user/", headers=headers)

    assert before.status_code == 200
    assert logout.status_code == 200
    assert logout.json == {"data": {"detail": "Successfully logged out."}}
    assert after.status_code == 401


def test_login_wrong_password_is_400_at_non_field_errors(
    client: FlaskClient, session: Session
) -> None:
    _anna(session)

    resp = api_login(client, "wrong", username="annaAngestellte")

    assert resp.status_code == 400
    error = json_of(resp)["errors"][0]
    assert error["source"]["pointer"] == "/data/attributes/non_field_errors"
    assert error["detail"] == "Unable to log in with provided credentials."


def test_login_unknown_user_is_the_same_400(
    client: FlaskClient, session: Session
) -> None:
    resp = api_login(client, "whatever", username="nobody")

    assert resp.status_code == 400
    assert json_of(resp)["errors"][0]["detail"] == (
        "Unable to log in with provided credentials."
    )


def test_login_unverified_email_is_refused(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session, email_verified=False)

    resp = assert_refused(
        client,
        "POST",
        f"{AUTH}/login/",
        400,
        json=doc("LoginView", password=DEFAULT_PASSWORD, username=user.username),
        unchanged=("users", "api_tokens"),
        pointer="/data/attributes/non_field_errors",
    )
    error = json_of(resp)["errors"][0]
    assert error["detail"] == "E-mail is not verified."
    assert error["source"]["pointer"] == "/data/attributes/non_field_errors"
    assert client.get_cookie("sessionid") is None


def test_login_inactive_user_is_refused(client: FlaskClient, session: Session) -> None:
    user = make_user(session, is_active=False)

    assert_refused(
        client,
        "POST",
        f"{AUTH}/login/",
        400,
        json=doc("LoginView", password=DEFAULT_PASSWORD, username=user.username),
        unchanged=("users", "api_tokens"),
        pointer="/data/attributes/non_field_errors",
    )


def test_login_missing_password_is_400_with_pointer(
    client: FlaskClient, session: Session
) -> None:
    resp = client.post(f"{AUTH}/login/", json=doc("LoginView", username="x"))

    assert resp.status_code == 400
    pointers = [e["source"]["pointer"] for e in json_of(resp)["errors"]]
    assert pointers == ["/data/attributes/password"]


def test_login_wrong_type_is_409(client: FlaskClient, session: Session) -> None:
    user = make_user(session)

    resp = client.post(
        f"{AUTH}/login/",
        json=doc("User", username=user.username, password=DEFAULT_PASSWORD),
    )

    assert resp.status_code == 409
    assert json_of(resp)["errors"][0]["source"]["pointer"] == "/data/type"


def test_login_starts_a_session_with_csrf_cookie(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    api_login(client, DEFAULT_PASSWORD, username=user.username)
    me = client.get(f"{AUTH}/user/")

    csrftoken = client.get_cookie("csrftoken")
    assert client.get_cookie("sessionid") is not None
    assert csrftoken is not None
    assert not csrftoken.http_only
    assert me.status_code == 200
    assert json_of(me)["data"]["id"] == str(user.id)


def test_login_records_last_login(client: FlaskClient, session: Session) -> None:
    user = make_user(session)

    api_login(client, DEFAULT_PASSWORD, username=user.username)

    session.refresh(user)
    assert user.last_login is not None


def test_logout_get_is_405(client: FlaskClient) -> None:
    assert_refused(client, "GET", f"{AUTH}/logout/", 405, unchanged=("users",))


def test_logout_anonymous_is_200(client: FlaskClient) -> None:
    resp = client.post(f"{AUTH}/logout/")

    assert resp.status_code == 200


def test_logout_with_stale_token_is_401(client: FlaskClient) -> None:
    assert_refused(
        client,
        "POST",
        f"{AUTH}/logout/",
        401,
        headers={"Authorization": "Token " + "0" * 40},
        unchanged=("users",),
        header="Authorization",
    )


def test_login_as_clair_ttn_sends_it(client: FlaskClient, session: Session) -> None:
    user = make_user(session)

    resp = client.post(
        f"{AUTH}/login",
        data=json.dumps(
            doc("LoginView", username=user.username, password=DEFAULT_PASSWORD)
        ),
        headers={
            "Content-Type": "application/vnd.api+json",
            "Accept": "application/vnd.api+json",
        },
    )

    assert resp.status_code == 200
    assert json_of(resp)["data"]["attributes"]["key"]
