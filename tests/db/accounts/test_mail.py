"""SMTP delivery with the EMAIL_* settings, against a real server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.services.accounts.mail import Mail, MailError, SmtpSettings, send
from tests.support.smtp import Mailbox, free_port, smtp_server


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as running:
        yield running


def _settings(port: int, **changes: object) -> SmtpSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "user": "",
        "password": "",
        "use_tls": False,
        "use_ssl": False,
        "timeout_s": 5,
        "sender": "noreply@example.org",
        **changes,
    }
    return SmtpSettings(**values)  # type: ignore[arg-type]


MAIL = Mail(to="max@example.org", subject="Grüße", body="Hallo Max, schön!\n")


def test_send_delivers_utf8_text(server: tuple[Mailbox, int]) -> None:
    mailbox, port = server
    mailbox.clear()

    send(_settings(port), MAIL)

    received = mailbox.only()
    assert received.sender == "noreply@example.org"
    assert received.recipients == ["max@example.org"]
    assert received.subject == "Grüße"
    assert received.body == "Hallo Max, schön!\n"
    assert received.message["Message-ID"]


def test_send_to_a_closed_port_raises_mail_error() -> None:
    with pytest.raises(MailError):
        send(_settings(free_port()), MAIL)


def test_starttls_is_required_when_use_tls_is_on(server: tuple[Mailbox, int]) -> None:
    mailbox, port = server
    mailbox.clear()

    with pytest.raises(MailError):
        send(_settings(port, use_tls=True), MAIL)

    assert mailbox.received == []


def test_implicit_tls_is_used_when_use_ssl_is_on(server: tuple[Mailbox, int]) -> None:
    mailbox, port = server
    mailbox.clear()

    with pytest.raises(MailError):
        send(_settings(port, use_ssl=True), MAIL)

    assert mailbox.received == []
