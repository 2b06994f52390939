"""API keys and bearer tokens: both authenticate; log-out and password changes revoke."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask_jwt_extended import create_access_token

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiToken, RevokedToken, User
from app.services.accounts.tokens import digest
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import AUTH, api_login, doc, json_of
from tests.support.refusals import assert_refused


def _login(client: FlaskClient, user: User) -> dict[str, Any]:
    resp = api_login(client, DEFAULT_PASSWORD, username=user.username)
    client.delete_cookie("sessionid")
    attributes: dict[str, Any] = json_of(resp)["data"]["attributes"]
    return attributes


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_header_authenticates_user_endpoint(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    key = _login(client, user)["key"]

    resp = client.get(f"{AUTH}/user/", headers={"Authorization": f"Token {key}"})

    assert resp.status_code == 200
    assert json_of(resp)["data"]["id"] == str(user.id)


def test_bearer_header_authenticates_user_endpoint(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    access = _login(client, user)["access_token"]

    resp = client.get(f"{AUTH}/user/", headers=_bearer(access))

    assert resp.status_code == 200
    assert json_of(resp)["data"]["id"] == str(user.id)


def test_keys_are_stored_as_digests_only(client: FlaskClient, session: Session) -> None:
    user = make_user(session)
    key = _login(client, user)["key"]

    stored = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()

    assert stored.digest == digest(key)
    assert key not in (stored.digest, stored.prefix, stored.name)


def test_each_login_issues_a_new_key(client: FlaskClient, session: Session) -> None:
    user = make_user(session)

    first, second = _login(client, user)["key"], _login(client, user)["key"]

    assert first != second


def test_logout_with_bearer_revokes_access_and_refresh(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    tokens = _login(client, user)

    logout = client.post(f"{AUTH}/logout/", headers=_bearer(tokens["access_token"]))
    access = client.get(f"{AUTH}/user/", headers=_bearer(tokens["access_token"]))
    refresh = client.post(
        f"{AUTH}/token/refresh/", headers=_bearer(tokens["refresh_token"])
    )

    assert logout.status_code == 200
    assert access.status_code == 401
    assert json_of(access)["errors"][0]["code"] == "token_revoked"
    assert refresh.status_code == 401
    assert json_of(refresh)["errors"][0]["code"] == "token_revoked"
    kinds = set(session.scalars(select(RevokedToken.kind)))
    assert kinds == {"access", "refresh"}


def test_refresh_returns_a_working_access_token(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    refresh_token = _login(client, user)["refresh_token"]

    resp = client.post(f"{AUTH}/token/refresh/", headers=_bearer(refresh_token))
    access = json_of(resp)["data"]["attributes"]["access_token"]
    me = client.get(f"{AUTH}/user/", headers=_bearer(access))

    assert resp.status_code == 200
    assert json_of(resp)["data"]["type"] == "TokenRefreshView"
    assert me.status_code == 200


def test_refresh_with_an_access_token_is_401(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    access = _login(client, user)["access_token"]

    resp = client.post(f"{AUTH}/token/refresh/", headers=_bearer(access))

    assert resp.status_code == 401
    assert json_of(resp)["errors"][0]["code"] == "token_not_valid"


def test_refresh_token_cannot_call_the_api(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    refresh_token = _login(client, user)["refresh_token"]

    assert_refused(
        client,
        "GET",
        f"{AUTH}/user/",
        401,
        headers=_bearer(refresh_token),
        unchanged=("users",),
        header="Authorization",
    )


def test_refresh_without_bearer_is_401(client: FlaskClient) -> None:
    assert_refused(client, "POST", f"{AUTH}/token/refresh/", 401, unchanged=("users",))


def test_malformed_bearer_is_jsonapi_401(client: FlaskClient) -> None:
    resp = client.get(f"{AUTH}/user/", headers=_bearer("not.a.jwt"))

    assert resp.status_code == 401
    assert resp.mimetype == "application/vnd.api+json"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    error = json_of(resp)["errors"][0]
    assert set(error) == {"status", "code", "title", "detail", "source"}
    assert error["status"] == "401"
    assert error["source"] == {"header": "Authorization"}


def test_expired_bearer_is_jsonapi_401_token_expired(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    with app.test_request_context():
        expired = create_access_token(
            identity=str(user.id), expires_delta=timedelta(seconds=-60)
        )

    resp = client.get(f"{AUTH}/user/", headers=_bearer(expired))

    assert resp.status_code == 401
    assert json_of(resp)["errors"][0]["code"] == "token_expired"


def test_bearer_of_inactive_user_is_401(client: FlaskClient, session: Session) -> None:
    user = make_user(session)
    access = _login(client, user)["access_token"]
    user.is_active = False
    session.flush()

    assert_refused(
        client,
        "GET",
        f"{AUTH}/user/",
        401,
        headers=_bearer(access),
        unchanged=("users",),
        header="Authorization",
    )


def test_password_change_ends_other_bearer_tokens(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    old = _login(client, user)["access_token"]
    key = _login(client, user)["key"]
    client.post(
        f"{AUTH}/password/change/",
        json=doc(
            "PasswordChangeView",
            old_password=DEFAULT_PASSWORD,
            new_password1="a-new-long-passphrase",
            new_password2="a-new-long-passphrase",
        ),
        headers={"Authorization": f"Token {key}"},
    )

    assert_refused(
        client,
        "GET",
        f"{AUTH}/user/",
        401,
        headers=_bearer(old),
        unchanged=("users",),
        header="Authorization",
    )


#: app/authn.py refuses these with an UnauthenticatedError, and app/errors.py's
#: DomainError carries a pointer but no ``source.header``: strict, so the fix shows.
@pytest.mark.parametrize(
    "header",
    ["Basic dTpw", "Bearer", "Token"],
)
def test_unusable_authorization_headers_are_401(
    client: FlaskClient, header: str
) -> None:
    assert_refused(
        client,
        "GET",
        f"{AUTH}/user/",
        401,
        headers={"Authorization": header},
        unchanged=(),
        header="Authorization",
    )
