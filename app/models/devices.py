"""The device catalogue (quantities, protocols, models), nodes and their fidelity."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    String,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.types import BigId

if TYPE_CHECKING:
    from app.models.inventory import Installation
    from app.models.tenancy import Organization

node_model_quantities = Table(
    "node_model_quantities",
    Base.metadata,
    Column(
        "node_model_id",
        ForeignKey("node_models.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "quantity_id",
        ForeignKey("quantities.id", ondelete="RESTRICT"),
        primary_key=True,
    ),
)


class Quantity(Base):
    """A physical quantity a node model measures (CO2 in PPM, ...)."""

    __tablename__ = "quantities"

    id: Mapped[BigId]
    quantity: Mapped[str] = mapped_column(String(30), unique=True)
    base_unit: Mapped[str] = mapped_column(String(30))

    def __str__(self) -> str:
        return self.quantity


class Protocol(Base):
    """A node's uplink protocol; it selects the LoRaWAN payload decoder."""

    __tablename__ = "protocols"
    __table_args__ = (
        CheckConstraint("num_uplink_msgs >= 0", name="uplink_not_negative"),
        CheckConstraint("num_downlink_msgs >= 0", name="downlink_not_negative"),
    )

    id: Mapped[BigId]
    identifier: Mapped[str] = mapped_column(String(30), unique=True)
    num_uplink_msgs: Mapped[int] = mapped_column(default=1, server_default="1")
    num_downlink_msgs: Mapped[int] = mapped_column(default=1, server_default="1")

    def __str__(self) -> str:
        return self.identifier


class NodeModel(Base):
    """A sensor product (JSON:API type ``Model``)."""

    __tablename__ = "node_models"

    id: Mapped[BigId]
    name: Mapped[str] = mapped_column(String(30), unique=True)
    trade_name: Mapped[str] = mapped_column(String(30))
    manufacturer: Mapped[str] = mapped_column(String(30))
    sensor_type: Mapped[str] = mapped_column(String(100))

    quantities: Mapped[list[Quantity]] = relationship(secondary=node_model_quantities)

    def __str__(self) -> str:
        return self.name


class Node(Base):
    """A sensor node, identified by a client-chosen UUID and its LoRaWAN DevEUI.

    The EUI is stored upper-case so uniqueness is case-insensitive. Deleting a
    protocol or model that nodes still use is refused (Managair cascaded).
    """

    __tablename__ = "nodes"
    __table_args__ = (
        CheckConstraint(
            "eui64 = upper(eui64) AND btrim(eui64) <> ''", name="eui64_normalised"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    eui64: Mapped[str] = mapped_column(String(32), unique=True)
    alias: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    protocol_id: Mapped[int] = mapped_column(
        ForeignKey("protocols.id", ondelete="RESTRICT"), index=True
    )
    model_id: Mapped[int] = mapped_column(
        ForeignKey("node_models.id", ondelete="RESTRICT"), index=True
    )
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )

    protocol: Mapped[Protocol] = relationship()
    model: Mapped[NodeModel] = relationship()
    owner: Mapped[Organization] = relationship(back_populates="nodes")
    installations: Mapped[list[Installation]] = relationship(
        back_populates="node", cascade="all, delete-orphan", passive_deletes=True
    )

    def __str__(self) -> str:
        return f"{self.alias}: {self.id}"


class Fidelity(enum.StrEnum):
    """Node liveness; the values are Managair's codes (ALIVE is ``E``)."""

    UNKNOWN = "U"
    ALIVE = "E"
    MISSING = "M"
    DEAD = "D"


class NodeFidelity(Base):
    """The latest liveness verdict for a node, written by the fidelity job."""

    __tablename__ = "node_fidelity"

    node_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("nodes.id", ondelete="CASCADE"), primary_key=True
    )
    fidelity: Mapped[Fidelity] = mapped_column(
        Enum(
            Fidelity,
            name="fidelity",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
            length=1,
            create_constraint=True,
        ),
        default=Fidelity.UNKNOWN,
        server_default=Fidelity.UNKNOWN.value,
    )
    last_contact: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_check: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    node: Mapped[Node] = relationship()
