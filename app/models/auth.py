"""Log-ins, revoked credentials and failed log-in counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base
from app.models.types import BigId, utcnow


class Login(Base):
    """One log-in: the browser session, API key and bearer pair it issued.

    Every credential names its log-in (the API key's ``login_id``, the JWT's
    ``lid`` claim, the session's ``_lid``), so ending the log-in (``ended_at``)
    ends them all at once. ``fingerprint`` is the password fingerprint the
    log-in was made (or last renewed) with: when the password changes any other
    way, the log-in stops verifying.
    """

    __tablename__ = "logins"

    id: Mapped[BigId]
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RevokedToken(Base):
    """A bearer token (by its ``jti``) or a browser session (by its id) logged out.

    Rows are only needed until the credential would have expired anyway
    (``expires_at``); ``flask auth prune`` deletes the older ones.
    """

    __tablename__ = "revoked_tokens"
    __table_args__ = (
        CheckConstraint("kind IN ('access', 'refresh', 'session')", name="kind_known"),
    )

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    revoked_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class LoginFailure(Base):
    """Failed log-ins of one account or one client address in the current window.

    ``key`` is a SHA-256 digest of the account or address, so the table holds
    no log-in names or IP addresses in clear.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        CheckConstraint("scope IN ('account', 'address')", name="scope_known"),
        CheckConstraint("failures >= 0", name="failures_not_negative"),
    )

    scope: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
