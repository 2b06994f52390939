"""Limits on the account mail anyone may ask for (reset links, confirmations, sign-up notices).

Signed-in users asking for a confirmation link at ``/accounts/email/`` (their
own address again, or a new one) count as confirmation requests too.

Two counters per kind of mail, both in :mod:`app.services.accounts.login_throttle`'s
table and window:

* requests per client address: beyond ``PASSWORD_RESET_RATE_LIMIT_ADDRESS`` the
  client gets 429 (it only ever throttles itself);
* mails per recipient address: beyond ``PASSWORD_RESET_RATE_LIMIT_ACCOUNT`` no
  more mail of that kind goes to the address in the window, silently. The
  requester gets the same answer either way, so nobody can flood a mailbox,
  and nobody can make another person's request fail: the mails already sent
  still hold valid links.

Every request counts against its recipient, whether an account uses the
address or not, so known and unknown addresses cost the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import ngettext

from sqlalchemy.orm import Session

from app.services.accounts import login_throttle
from app.services.accounts.login_throttle import Limits

PASSWORD_RESET = login_throttle.PASSWORD_RESET
CONFIRMATION = "email-confirmation"
SIGN_UP = "sign-up"
_RECIPIENT = "mail-to"


@dataclass(frozen=True)
class MailLimits:
    """Requests per client address (429) and mails per recipient (silent) per window."""

    per_address: int
    per_recipient: int
    window_s: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailLimits:
        """Read ``PASSWORD_RESET_RATE_LIMIT_ADDRESS``/``_ACCOUNT`` and the shared window."""
        limits = Limits.for_password_reset(config)
        return cls(limits.per_address, limits.per_account, limits.window_s)

    @property
    def client(self) -> Limits:
        """The per-client-address limit as log-in limits."""
        return Limits(
            per_account=0, per_address=self.per_address, window_s=self.window_s
        )

    @property
    def recipient(self) -> Limits:
        """The per-recipient limit as log-in limits."""
        return Limits(
            per_account=self.per_recipient, per_address=0, window_s=self.window_s
        )


def admit(
    session: Session,
    limits: MailLimits,
    purpose: str,
    recipient: str,
    address: str,
    now: datetime,
) -> bool:
    """Count one request for a ``purpose`` mail to ``recipient`` from ``address``.

    Returns whether the mail may go out (see :func:`may_mail`). Flushes.

    Raises:
        ThrottledError: this client address asked too often (429).
    """
    count_request(session, limits, purpose, address, now)
    return may_mail(session, limits, purpose, recipient, now)


def count_request(
    session: Session, limits: MailLimits, purpose: str, address: str, now: datetime
) -> None:
    """Count one request for a ``purpose`` mail from the client ``address`` (flushes).

    Raises:
        ThrottledError: this client address asked too often (429).
    """
    client = limits.client
    login_throttle.check(
        session, client, "", address, now, purpose=purpose, message=_too_many_requests
    )
    login_throttle.record_failure(session, client, "", address, now, purpose=purpose)


def _too_many_requests(minutes: int) -> str:
    detail: str = ngettext(
        "Too many requests from your address. Try again in %(num)d minute.",
        "Too many requests from your address. Try again in %(num)d minutes.",
        minutes,
    )
    return detail


def may_mail(
    session: Session, limits: MailLimits, purpose: str, recipient: str, now: datetime
) -> bool:
    """Count one ``purpose`` mail to ``recipient``; tell whether it may go out.

    False: the address had its share of these mails this window; answer as if
    the mail went (flushes).
    """
    per_recipient = limits.recipient
    account = recipient.strip().lower()
    kind = f"{_RECIPIENT}:{purpose}"
    wait = login_throttle.wait_s(session, per_recipient, account, "", now, purpose=kind)
    login_throttle.record_failure(
        session, per_recipient, account, "", now, purpose=kind
    )
    return wait is None
