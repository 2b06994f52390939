"""Addresses, sites, rooms and the installations of nodes in rooms."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import TSTZRANGE, ExcludeConstraint, Range
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.types import BigId

if TYPE_CHECKING:
    from app.models.devices import Node
    from app.models.tenancy import Organization


class Address(Base):
    """A postal address; shared by sites and protected from deletion while used."""

    __tablename__ = "addresses"
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
    )

    id: Mapped[BigId]
    street1: Mapped[str] = mapped_column(String(50))
    street2: Mapped[str | None] = mapped_column(String(50))
    zip: Mapped[str] = mapped_column(String(5))
    city: Mapped[str] = mapped_column(String(50))
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    # Who created it: an address no site uses yet is visible to its creator only.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    sites: Mapped[list[Site]] = relationship(back_populates="address")

    def __str__(self) -> str:
        return f"{self.street1}, {self.zip} {self.city}"


class Site(Base):
    """A building or place an organization operates."""

    __tablename__ = "sites"
    __table_args__ = (
        UniqueConstraint("operator_id", "name"),
        CheckConstraint("btrim(name) <> ''", name="name_not_blank"),
    )

    id: Mapped[BigId]
    name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    address_id: Mapped[int] = mapped_column(
        ForeignKey("addresses.id", ondelete="RESTRICT"), index=True
    )
    operator_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )

    address: Mapped[Address] = relationship(back_populates="sites")
    operator: Mapped[Organization] = relationship(back_populates="sites")
    rooms: Mapped[list[Room]] = relationship(
        back_populates="site", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return f"{self.name} {self.address.street1}, {self.address.zip}"


class Room(Base):
    """A room of a site, where nodes are installed."""

    __tablename__ = "rooms"
    __table_args__ = (
        UniqueConstraint("site_id", "name"),
        CheckConstraint("btrim(name) <> ''", name="name_not_blank"),
        CheckConstraint("size_sqm >= 0", name="size_not_negative"),
        CheckConstraint("height_m >= 0", name="height_not_negative"),
        CheckConstraint("max_occupancy >= 0", name="occupancy_not_negative"),
    )

    id: Mapped[BigId]
    name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    size_sqm: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    height_m: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    max_occupancy: Mapped[int | None]
    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), index=True
    )

    site: Mapped[Site] = relationship(back_populates="rooms")
    installations: Mapped[list[Installation]] = relationship(
        back_populates="room", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return self.name


class Installation(Base):
    """A node in a room for the closed interval [from_time, to_time].

    ``to_time`` null means still installed (the API's 2147483647). The database
    refuses ``from_time > to_time`` and two installations of one node that share
    more than an end point (one may end when the next starts).
    """

    __tablename__ = "installations"
    __table_args__ = (
        UniqueConstraint("node_id", "from_time"),
        CheckConstraint(
            "to_time IS NULL OR from_time <= to_time", name="from_not_after_to"
        ),
        ExcludeConstraint(
            ("node_id", "="),
            ("period", "&&"),
            name="ex_installations_node_period",
            using="gist",
        ),
        Index("ix_installations_room_id_from_time", "room_id", "from_time"),
    )

    id: Mapped[BigId]
    node_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nodes.id", ondelete="CASCADE")
    )
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    from_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    to_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Null when from > to, so the CHECK above reports the problem instead of
    # tstzrange() failing with a data error. Half-open, so one installation may
    # end at the instant the next one starts (migration 0004).
    period: Mapped[Range[datetime] | None] = mapped_column(
        TSTZRANGE,
        Computed(
            "CASE WHEN to_time IS NULL OR from_time <= to_time "
            "THEN tstzrange(from_time, to_time, '[)') END",
            persisted=True,
        ),
    )
    description: Mapped[str | None] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(default=False, server_default="false")
    image: Mapped[str | None] = mapped_column(String(255))

    node: Mapped[Node] = relationship(back_populates="installations")
    room: Mapped[Room] = relationship(back_populates="installations")

    def __str__(self) -> str:
        end = self.to_time.isoformat() if self.to_time else "open"
        return f"Node: {self.node_id}, from: {self.from_time.isoformat()} To: {end}"
