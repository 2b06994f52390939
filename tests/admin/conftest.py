"""Fixtures of the back-office tests: browsers signed in as staff, superuser, user."""

from __future__ import annotations

import pytest

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import User
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import html_login
from tests.support.i18n import compile_catalogues


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    """Compile the ``.po`` files if ``make setup`` has not (German labels)."""
    compile_catalogues()


@pytest.fixture
def staff(session: Session) -> User:
    """A staff user."""
    return make_user(session, is_staff=True)


def signed_in(app: Flask, user: User) -> FlaskClient:
    """Return a browser signed in as ``user``."""
    browser = app.test_client()
    response = html_login(browser, user.username, DEFAULT_PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


@pytest.fixture
def staff_client(app: Flask, session: Session, staff: User) -> FlaskClient:
    """A browser signed in as a staff user."""
    return signed_in(app, staff)


@pytest.fixture
def superuser(session: Session) -> User:
    """A superuser (staff too, as every superuser is)."""
    return make_user(session, is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(app: Flask, session: Session, superuser: User) -> FlaskClient:
    """A browser signed in as a superuser."""
    return signed_in(app, superuser)


@pytest.fixture
def user_client(app: Flask, session: Session) -> FlaskClient:
    """A browser signed in as a user who is not staff."""
    return signed_in(app, make_user(session))
