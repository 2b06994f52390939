"""Samples: the TimescaleDB hypertable (created by ``sql/timescale``)."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    Enum,
    Index,
    Numeric,
    SmallInteger,
    Uuid,
    desc,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

CO2_PPM_MAX = 10_000
TEMPERATURE_MIN_C = Decimal("-20.0")
TEMPERATURE_MAX_C = Decimal("40.0")
HUMIDITY_MAX = 100


class MeasurementStatus(enum.StrEnum):
    """Managair's status codes: measured, replacement value, measurement error."""

    MEASURED = "M"
    REPLACED = "R"
    ERROR = "E"


class Sample(Base):
    """One reading of a node at one time; unique per (node, time), no surrogate id.

    The table has no primary-key constraint: the unique ``(node_id, time DESC)``
    index is both the key and the index every series query walks; it includes every
    other column, so a node's samples are read from the index alone.
    """

    __tablename__ = "samples"
    __table_args__ = (
        CheckConstraint(f"co2_ppm BETWEEN 0 AND {CO2_PPM_MAX}", name="co2_range"),
        CheckConstraint(
            f"temperature_celsius BETWEEN {TEMPERATURE_MIN_C} AND {TEMPERATURE_MAX_C}",
            name="temperature_range",
        ),
        CheckConstraint(
            f"rel_humidity_percent BETWEEN 0 AND {HUMIDITY_MAX}", name="humidity_range"
        ),
        Index(
            "ux_samples_node_id_time",
            "node_id",
            desc("time"),
            unique=True,
            postgresql_include=[
                "co2_ppm",
                "temperature_celsius",
                "rel_humidity_percent",
                "measurement_status",
            ],
        ),
    )
    __mapper_args__ = {"primary_key": ["node_id", "time"]}  # noqa: RUF012

    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: References nodes.id (on delete cascade) through the statement-level triggers of
    #: ``sql/timescale/definitions/samples_node_check.sql`` rather than a foreign
    #: key, which checked row by row.
    node_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    co2_ppm: Mapped[int] = mapped_column(SmallInteger)
    temperature_celsius: Mapped[Decimal | None] = mapped_column(Numeric(3, 1))
    rel_humidity_percent: Mapped[int | None] = mapped_column(SmallInteger)
    measurement_status: Mapped[MeasurementStatus] = mapped_column(
        Enum(
            MeasurementStatus,
            name="measurement_status",
            values_callable=lambda e: [m.value for m in e],
            native_enum=False,
            length=1,
            create_constraint=True,
        ),
        default=MeasurementStatus.MEASURED,
        server_default=MeasurementStatus.MEASURED.value,
    )
