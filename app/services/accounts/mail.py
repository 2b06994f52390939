"""Sending mail over SMTP with the ``EMAIL_*`` settings (standard library only).

``EMAIL_USE_TLS`` upgrades a plain connection with STARTTLS, ``EMAIL_USE_SSL``
connects with implicit TLS; both verify the server's certificate. The SMTP
password is used for ``AUTH`` only and never logged.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

logger = logging.getLogger(__name__)


class MailError(Exception):
    """The mail could not be handed to the SMTP server.

    Attributes:
        permanent: the server refused this recipient or this message for good
            (a 5xx reply); sending it again cannot help.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send mail."""

    host: str
    port: int
    user: str
    password: str
    use_tls: bool
    use_ssl: bool
    timeout_s: int
    sender: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings:
        """Read the ``EMAIL_*`` settings."""
        return cls(
            host=config["EMAIL_HOST"],
            port=int(config["EMAIL_PORT"]),
            user=config["EMAIL_HOST_USER"],
            password=config["EMAIL_HOST_PASSWORD"],
            use_tls=bool(config["EMAIL_USE_TLS"]),
            use_ssl=bool(config["EMAIL_USE_SSL"]),
            timeout_s=int(config["EMAIL_TIMEOUT_S"]),
            sender=config["DEFAULT_FROM_EMAIL"],
        )


@dataclass(frozen=True)
class Mail:
    """One plain-text message to one recipient."""

    to: str
    subject: str
    body: str


def send(settings: SmtpSettings, mail: Mail) -> None:
    """Hand ``mail`` to the SMTP server.

    Raises:
        MailError: the server is unreachable, refuses the login or the message.
    """
    message = _message(settings, mail)
    try:
        with _connect(settings) as smtp:
            if settings.use_tls and not settings.use_ssl:
                smtp.starttls(context=ssl.create_default_context())
            if settings.user:
                smtp.login(settings.user, settings.password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        domain = mail.to.rpartition("@")[2]
        logger.warning(
            "Mail to a recipient at %s not sent: %s: %s",
            domain,
            type(exc).__name__,
            exc,
        )
        raise MailError(str(exc), permanent=_refused_for_good(exc)) from exc


def _refused_for_good(exc: Exception) -> bool:
    """Whether the server refused the recipient (every one) or the message with a
    permanent (5xx) reply; a refused sender or login is the server's settings."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600
    return False


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.use_ssl:
        return smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            timeout=settings.timeout_s,
            context=ssl.create_default_context(),
        )
    return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)


def _message(settings: SmtpSettings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2])
    message.set_content(mail.body)
    return message
