"""A log-in is one unit: log-out, password changes and the key cap end whole log-ins.

Each log-in here is made through ``POST /api/v1/auth/login/`` in a client of its
own, so the log-in's browser session (that client's cookies), API key and bearer
pair can each be tried on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ApiToken, User
from app.services.accounts.passwords import hash_password
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import AUTH, api_login, csrf_cookie, doc, json_of, post_form
from tests.support.auth import auth_headers
from tests.support.refusals import assert_refused

NEW = "a-new-long-passphrase"


@dataclass(frozen=True)
class LoggedIn:
    """One log-in: the browser holding its session, and its key and bearer pair."""

    browser: FlaskClient
    key: str
    access: str
    refresh: str

    def headers(self, credential: str) -> dict[str, str]:
        """Headers that present one credential of the log-in (session: CSRF only)."""
        if credential == "token":
            return {"Authorization": f"Token {self.key}"}
        if credential == "bearer":
            return {"Authorization": f"Bearer {self.access}"}
        if credential == "refresh":
            return {"Authorization": f"Bearer {self.refresh}"}
        return {"X-CSRFToken": csrf_cookie(self.browser)}

    def working(self, app: Flask) -> dict[str, int]:
        """The status of ``GET /auth/user/`` with each credential, and of a refresh."""
        other = app.test_client()
        return {
            "session": self.browser.get(f"{AUTH}/user/").status_code,
            "token": other.get(
                f"{AUTH}/user/", headers=self.headers("token")
            ).status_code,
            "bearer": other.get(
                f"{AUTH}/user/", headers=self.headers("bearer")
            ).status_code,
            "refresh": other.post(
                f"{AUTH}/token/refresh/",
                headers={"Authorization": f"Bearer {self.refresh}"},
            ).status_code,
        }


ALL_WORK = {"session": 200, "token": 200, "bearer": 200, "refresh": 200}
NONE_WORK = {"session": 401, "token": 401, "bearer": 401, "refresh": 401}


def _log_in(app: Flask, user: User, password: str = DEFAULT_PASSWORD) -> LoggedIn:
    browser = app.test_client()
    attributes: dict[str, Any] = json_of(
        api_login(browser, password, username=user.username)
    )["data"]["attributes"]
    return LoggedIn(
        browser,
        attributes["key"],
        attributes["access_token"],
        attributes["refresh_token"],
    )


@dataclass(frozen=True)
class Account:
    """A user's two log-ins and an API key made by tooling (no log-in)."""

    mine: LoggedIn
    other: LoggedIn
    tooling: dict[str, str]

    def working(self, app: Flask) -> tuple[dict[str, int], dict[str, int], int]:
        """What still works of each log-in, and the tooling key's status."""
        resp = app.test_client().get(f"{AUTH}/user/", headers=self.tooling)
        return self.mine.working(app), self.other.working(app), resp.status_code


@pytest.fixture
def account(app: Flask, session: Session) -> Account:
    """A user logged in twice, with a tooling key besides."""
    user = make_user(session)
    mine, other = _log_in(app, user), _log_in(app, user)
    return Account(mine, other, auth_headers(session, user))


def _client(login: LoggedIn, credential: str) -> FlaskClient:
    """The log-in's browser for its session, a client without cookies otherwise."""
    if credential == "session":
        return login.browser
    return login.browser.application.test_client()


def _log_out(login: LoggedIn, credential: str, query: str = "") -> int:
    resp = _client(login, credential).post(
        f"{AUTH}/logout/{query}", headers=login.headers(credential)
    )
    return resp.status_code


def _change_password(login: LoggedIn, credential: str) -> int:
    resp = _client(login, credential).post(
        f"{AUTH}/password/change/",
        json=doc(
            "PasswordChangeView",
            old_password=DEFAULT_PASSWORD,
            new_password1=NEW,
            new_password2=NEW,
        ),
        headers=login.headers(credential),
    )
    return resp.status_code


@pytest.mark.parametrize("credential", ["session", "token", "bearer", "refresh"])
def test_logout_by_any_credential_ends_the_whole_login(
    app: Flask, session: Session, credential: str
) -> None:
    login = _log_in(app, make_user(session))

    status = _log_out(login, credential)

    assert status == 200
    assert login.working(app) == NONE_WORK


def test_logout_keeps_the_users_other_logins(app: Flask, session: Session) -> None:
    user = make_user(session)
    mine, other = _log_in(app, user), _log_in(app, user)

    _log_out(mine, "token")

    assert other.working(app) == ALL_WORK


@pytest.mark.parametrize("credential", ["session", "token", "bearer", "refresh"])
def test_logout_everywhere_ends_every_login_and_key(
    app: Flask, account: Account, credential: str
) -> None:
    status = _log_out(account.mine, credential, "?everywhere=1")

    assert status == 200
    assert account.working(app) == (NONE_WORK, NONE_WORK, 401)


def test_logout_by_refresh_token_keeps_the_users_other_logins(
    app: Flask, session: Session
) -> None:
    user = make_user(session)
    mine, other = _log_in(app, user), _log_in(app, user)

    _log_out(mine, "refresh")

    assert other.working(app) == ALL_WORK


def test_refresh_token_still_cannot_call_other_endpoints(
    app: Flask, session: Session
) -> None:
    """Only the log-out takes a refresh token in place of an access token."""
    login = _log_in(app, make_user(session))

    assert_refused(
        app.test_client(),
        "POST",
        f"{AUTH}/password/change/",
        401,
        json=doc(
            "PasswordChangeView",
            old_password=DEFAULT_PASSWORD,
            new_password1=NEW,
            new_password2=NEW,
        ),
        headers=login.headers("refresh"),
        header="Authorization",
        unchanged=("users", "logins", "api_tokens", "revoked_tokens"),
    )
    assert login.working(app) == ALL_WORK


def test_logout_everywhere_malformed_is_400_naming_the_parameter(
    app: Flask, session: Session
) -> None:
    login = _log_in(app, make_user(session))

    resp = app.test_client().post(
        f"{AUTH}/logout/?everywhere=perhaps", headers=login.headers("token")
    )

    assert resp.status_code == 400
    assert json_of(resp)["errors"][0]["source"] == {"parameter": "everywhere"}
    assert login.working(app) == ALL_WORK


@pytest.mark.parametrize(
    "query", ["everywhere=1&everywhere=0", "everywhere=0&everywhere=1"]
)
def test_logout_everywhere_repeated_is_400_naming_the_parameter(
    app: Flask, session: Session, query: str
) -> None:
    """Which of the two was meant is not for the server to guess."""
    login = _log_in(app, make_user(session))

    resp = app.test_client().post(
        f"{AUTH}/logout/?{query}", headers=login.headers("token")
    )

    assert resp.status_code == 400
    error = json_of(resp)["errors"][0]
    assert error["source"] == {"parameter": "everywhere"}
    assert error["detail"] == "repeated query parameter not allowed: everywhere"
    assert login.working(app) == ALL_WORK


@pytest.mark.parametrize("credential", ["session", "token", "bearer"])
def test_password_change_ends_every_other_login_and_keeps_the_callers(
    app: Flask, account: Account, credential: str
) -> None:
    status = _change_password(account.mine, credential)

    assert status == 200
    assert account.working(app) == (ALL_WORK, NONE_WORK, 401)


def test_password_change_page_ends_the_other_logins_keys(
    app: Flask, session: Session
) -> None:
    user = make_user(session)
    mine, other = _log_in(app, user), _log_in(app, user)

    post_form(
        mine.browser,
        "/accounts/password/change/",
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW, "password2": NEW},
    )

    assert mine.working(app) == ALL_WORK
    assert other.working(app) == NONE_WORK


def test_password_set_elsewhere_ends_every_login(app: Flask, session: Session) -> None:
    user = make_user(session)
    login = _log_in(app, user)

    user.password_hash = hash_password(NEW)  # as the back office does
    session.commit()

    assert login.working(app) == NONE_WORK


def test_api_keys_are_capped_oldest_login_ends(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "API_KEYS_PER_USER", 2)
    user = make_user(session)
    oldest, middle, newest = (_log_in(app, user) for _ in range(3))

    live = session.scalar(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )

    assert live == 2
    assert oldest.working(app) == NONE_WORK
    assert middle.working(app) == ALL_WORK
    assert newest.working(app) == ALL_WORK
