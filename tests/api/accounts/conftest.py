"""Fixtures of the account tests: test clients that close every response, as servers do."""

from __future__ import annotations

from typing import Any

import pytest

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse


class ClosingClient(FlaskClient):
    """A test client that reads and closes each response before returning it.

    A server closes a response once it has written it, which runs its
    ``call_on_close`` callbacks: account mail goes out then, after the answer
    (:mod:`app.services.accounts.account_mail`). Werkzeug's client closes only
    when asked, so without this the tests would never see those mails.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        """Send the request; answer the buffered, closed response."""
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture(autouse=True)
def _closing_clients(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every test client of these tests a :class:`ClosingClient`."""
    monkeypatch.setattr(app, "test_client_class", ClosingClient)
