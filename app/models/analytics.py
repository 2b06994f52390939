"""Analyst roles: PostgreSQL login roles that read the ``analytics`` schema.

What a role may see is decided in the database: the views in ``analytics``
(``sql/timescale/definitions/analytics_installation_views.sql``) keep the rows
of the organizations listed here for ``current_user`` (and public installations when ``public_data`` is set). The
roles themselves are cluster-wide; these rows belong to this database.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.types import utcnow


class AnalystRole(Base):
    """A login role for SQL analysts: whether it sees public installations, its days."""

    __tablename__ = "analyst_roles"

    role_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    public_data: Mapped[bool] = mapped_column(default=False, server_default="false")
    # Local days of the views for this role (a session may SET airq.analysis_timezone).
    timezone: Mapped[str] = mapped_column(
        String(64), default="Europe/Berlin", server_default="Europe/Berlin"
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, server_default=func.now()
    )

    organizations: Mapped[list[AnalystRoleOrganization]] = relationship(
        back_populates="role", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return self.role_name


class AnalystRoleOrganization(Base):
    """An organization whose data an analyst role sees in full."""

    __tablename__ = "analyst_role_organizations"

    role_name: Mapped[str] = mapped_column(
        ForeignKey("analyst_roles.role_name", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    role: Mapped[AnalystRole] = relationship(back_populates="organizations")

    def __str__(self) -> str:
        return f"{self.role_name} sees organization {self.organization_id}"
