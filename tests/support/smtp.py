"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

LINK = re.compile(r"https?://\S+")


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the server got it."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        """The decoded subject."""
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        """The decoded plain-text body."""
        part = self.message.get_body(preferencelist=("plain",))
        text = str(part.get_content()) if part is not None else ""
        return text.replace("\r\n", "\n")

    def links(self) -> list[str]:
        """Every absolute link in the body, in order."""
        return LINK.findall(self.body)


@dataclass
class Mailbox:
    """What the handler stores; shared with the server thread."""

    received: list[ReceivedMail] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: recipients the server refuses, with its reply (e.g. "550 5.1.1 No such user")
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(  # noqa: N802  # aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        """Take the recipient, unless :attr:`refuse` names it."""
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  # aiosmtpd's hook name
        """Keep the message (aiosmtpd calls this for every DATA command)."""
        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw, policy=policy.default)
        with self.lock:
            self.received.append(
                ReceivedMail(
                    envelope.mail_from,
                    list(envelope.rcpt_tos),
                    message,
                )
            )
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        """Forget what was received so far (and whom to refuse)."""
        with self.lock:
            self.received.clear()
            self.refuse.clear()

    def only(self) -> ReceivedMail:
        """Return the single message received; fail when there is not exactly one."""
        with self.lock:
            assert len(self.received) == 1, [m.subject for m in self.received]
            return self.received[0]


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    """Run an SMTP server on a free loopback port; yield its mailbox and port."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()
