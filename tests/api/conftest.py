"""Fixtures of the API and page tests: a loopback SMTP server, compiled catalogues."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from flask import Flask
from flask.testing import FlaskClient

from tests.support.i18n import compile_catalogues
from tests.support.smtp import Mailbox, free_port, smtp_server


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    """Compile the ``.po`` files if ``make setup`` has not (pages test German)."""
    compile_catalogues()


@pytest.fixture(scope="session")
def _smtp() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mailbox(
    app: Flask, _smtp: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch
) -> Mailbox:
    """An empty mailbox of a real SMTP server on loopback the app sends to."""
    box, port = _smtp
    box.clear()
    for key, value in {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_HOST_USER": "",
        "EMAIL_TIMEOUT_S": 5,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    return box


@pytest.fixture
def mail_down(app: Flask, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the app at a loopback port nothing listens on: every mail fails."""
    monkeypatch.setitem(app.config, "EMAIL_PORT", free_port())


@pytest.fixture(params=["up", "down"])
def mail_server(request: pytest.FixtureRequest, mailbox: Mailbox) -> str:
    """Run the test once with the mail server up and once with it down."""
    if request.param == "down":
        request.getfixturevalue("mail_down")
    return str(request.param)


@pytest.fixture
def app_client_pair(app: Flask, session: object) -> tuple[FlaskClient, FlaskClient]:
    """Two browsers (separate cookie jars) on the test's rolled-back session."""
    return app.test_client(), app.test_client()
