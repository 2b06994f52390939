"""Fixtures of the back-office tests: browsers signed in as staff, as a user, anonymous."""

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


@pytest.fixture
def staff_client(app: Flask, session: Session, staff: User) -> FlaskClient:
    """A browser signed in as a staff user."""
    browser = app.test_client()
    response = html_login(browser, staff.username, DEFAULT_PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser


@pytest.fixture
def user_client(app: Flask, session: Session) -> FlaskClient:
    """A browser signed in as a user who is not staff."""
    user = make_user(session)
    browser = app.test_client()
    response = html_login(browser, user.username, DEFAULT_PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    return browser
