"""Users, organizations, memberships, member look-ups and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.types import BigId, utcnow

if TYPE_CHECKING:
    from app.models.devices import Node
    from app.models.inventory import Site


class Role(enum.StrEnum):
    """A member's role in an organization; the values are Managair's codes."""

    OWNER = "O"
    INSPECTOR = "I"


class User(Base):
    """A person (or program) who logs in; Django's user plus allauth's verified flag."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("username <> ''", name="username_not_blank"),
        Index(
            "uq_users_email_lower",
            func.lower(text("email")),
            unique=True,
            postgresql_where=text("email <> ''"),
        ),
    )

    id: Mapped[BigId]
    username: Mapped[str] = mapped_column(String(150), unique=True)
    email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    email_verified: Mapped[bool] = mapped_column(default=False, server_default="false")
    first_name: Mapped[str] = mapped_column(String(150), default="", server_default="")
    last_name: Mapped[str] = mapped_column(String(150), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(
        String(255), default="", server_default=""
    )
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")
    is_staff: Mapped[bool] = mapped_column(default=False, server_default="false")
    is_superuser: Mapped[bool] = mapped_column(default=False, server_default="false")
    locale: Mapped[str | None] = mapped_column(String(10))
    date_joined: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    last_login: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return self.username


class Organization(Base):
    """A tenant: owns nodes and operates sites."""

    __tablename__ = "organizations"
    __table_args__ = (CheckConstraint("btrim(name) <> ''", name="name_not_blank"),)

    id: Mapped[BigId]
    name: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str | None] = mapped_column(Text)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organization",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    sites: Mapped[list[Site]] = relationship(
        back_populates="operator", cascade="all, delete-orphan", passive_deletes=True
    )
    nodes: Mapped[list[Node]] = relationship(
        back_populates="owner", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return self.name


class Membership(Base):
    """A user's role in one organization."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    id: Mapped[BigId]
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="membership_role",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
            length=1,
            create_constraint=True,
        ),
        default=Role.INSPECTOR,
        server_default=Role.INSPECTOR.value,
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: The member wants ventilation alerts of the organization by mail.
    notify_alerts: Mapped[bool] = mapped_column(default=False, server_default="false")

    user: Mapped[User] = relationship(back_populates="memberships")
    organization: Mapped[Organization] = relationship(back_populates="memberships")

    def __str__(self) -> str:
        return (
            f"{self.user} is member of {self.organization} with role {self.role.value}."
        )


class MemberLookup(Base):
    """A user whom ``finder`` found by their exact e-mail address, and when.

    For a while after the find (``MEMBER_LOOKUP_WINDOW_S``) the finder may add
    the user to an organization by id (:mod:`app.services.tenancy.lookups`);
    ``flask auth prune`` deletes the finds whose window has passed.
    """

    __tablename__ = "member_lookups"

    finder_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ApiToken(Base):
    """A secret for programs: a user's API key or an ingest token.

    Only a SHA-256 digest of the secret is stored; ``prefix`` (its first characters)
    lets people recognise a token in lists. An ingest token is scoped to one
    organization's nodes, or deployment-wide when ``organization_id`` is null.
    A user's key names the log-in that issued it (null for keys made before
    log-ins were recorded, or by tooling), which ends with it.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint("kind IN ('user', 'ingest')", name="kind_known"),
        CheckConstraint(
            "kind <> 'user' OR user_id IS NOT NULL", name="user_token_has_user"
        ),
    )

    id: Mapped[BigId]
    kind: Mapped[str] = mapped_column(String(10))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    login_id: Mapped[int | None] = mapped_column(
        ForeignKey("logins.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def __str__(self) -> str:
        return f"{self.kind} token {self.prefix}…"
