"""Query arguments of the series endpoints (parsed and documented by flask-smorest)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow import validate
from webargs.fields import DelimitedList

from app.blueprints.docs import document_schemas
from app.blueprints.filters import check_bounds_order
from app.services import zones
from app.services.series.downsampled import MAX_POINTS_LIMIT, RESOLUTIONS
from app.services.series.epoch import from_epoch
from app.services.series.sql import AGGREGATES, QUANTITIES

_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")
MIN_TIME = datetime(1, 1, 2, tzinfo=UTC)
MAX_TIME = datetime(9999, 12, 30, tzinfo=UTC)
#: How the document states a time: epoch seconds up to :data:`MAX_TIME` (the
#: ISO-8601 form is named in the description; a schema cannot say it as well).
EPOCH_S = {"type": "integer", "minimum": 0, "maximum": int(MAX_TIME.timestamp())}
#: The zones ``tz`` takes, listed in the OpenAPI document (:mod:`app.services.zones`).
ZONES = sorted(zones.PLACES)


class TimeArg(ma.fields.Field):  # type: ignore[type-arg]  # marshmallow generics
    """A point in time: epoch seconds or ISO-8601 (without an offset: UTC)."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, **kwargs: Any
    ) -> datetime:
        text = str(value).strip()
        try:
            moment = from_epoch(int(text)) if _INTEGER.fullmatch(text) else _iso(text)
        except (ValueError, OverflowError) as exc:
            raise ma.ValidationError(
                "Expected epoch seconds or an ISO-8601 time "
                "(e.g. 1700000000 or 2024-03-31T00:00:00+02:00)."
            ) from exc
        if not MIN_TIME <= moment <= MAX_TIME:
            raise ma.ValidationError("The time is out of range.")
        return moment


def _iso(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        # An unencoded "+" in a query string arrives as a space.
        moment = datetime.fromisoformat(text.replace(" ", "+"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SeriesArgsSchema(ma.Schema):
    """``filter[from]``, ``filter[to]``, ``resolution``, ``aggregates``, ``quantities``,
    ``tz``, ``max_points``, ``format``; anything else is a 400."""

    class Meta:
        unknown = ma.RAISE

    start = TimeArg(
        data_key="filter[from]",
        metadata={
            "description": "Start (inclusive): epoch seconds or ISO-8601; "
            "not after filter[to].",
            **EPOCH_S,
        },
    )
    end = TimeArg(
        data_key="filter[to]",
        metadata={"description": "End (inclusive); default now.", **EPOCH_S},
    )
    resolution = ma.fields.String(
        load_default="auto",
        validate=validate.OneOf(RESOLUTIONS),
        metadata={"description": "raw, 10m, 1h, 1d (local days in tz) or auto."},
    )
    aggregates = DelimitedList(
        ma.fields.String(validate=validate.OneOf(AGGREGATES)),
        load_default=["avg"],
        validate=validate.Length(min=1),
        metadata={"description": "Comma-separated: avg, min, max, count."},
    )
    quantities = DelimitedList(
        ma.fields.String(validate=validate.OneOf(tuple(QUANTITIES))),
        load_default=list(QUANTITIES),
        validate=validate.Length(min=1),
        metadata={"description": "Comma-separated; default all three."},
    )
    tz = ma.fields.String(
        metadata={
            "description": "Zone of daily buckets; default ANALYSIS_TIMEZONE.",
            "enum": ZONES,
        },
    )
    max_points = ma.fields.Integer(
        load_default=1000,
        validate=validate.Range(min=1, max=MAX_POINTS_LIMIT),
        metadata={
            "description": "Point budget of resolution=auto, never exceeded: when "
            "even local days exceed it, the newest max_points days (from_timestamp_s "
            "names the first)."
        },
    )
    format = ma.fields.String(
        validate=validate.OneOf(("json", "csv")),
        metadata={"description": "csv for text/csv (or send Accept: text/csv)."},
    )

    @ma.validates("tz")
    def _check_zone(self, value: str, **kwargs: Any) -> None:
        if value not in zones.PLACES:
            raise ma.ValidationError(
                "Unknown time zone: give an IANA name such as Europe/Berlin or UTC "
                "(the document lists them)."
            )

    @ma.validates_schema
    def _check_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_bounds_order(data.get("start"), data.get("end"))


class SeriesAttributesSchema(ma.Schema):
    """A series (read only): one column per quantity and aggregate besides these."""

    resolution = ma.fields.String()
    tz = ma.fields.String()
    query_timestamp_s = ma.fields.Integer()
    from_timestamp_s = ma.fields.Integer()
    to_timestamp_s = ma.fields.Integer()
    timestamps_s = ma.fields.List(ma.fields.Integer())


NODE_SERIES_DOCUMENTS = document_schemas(
    "Node-Series", SeriesAttributesSchema, name="NodeSeries"
)
INSTALLATION_SERIES_DOCUMENTS = document_schemas(
    "Installation-Series", SeriesAttributesSchema, name="InstallationSeries"
)
#: The CSV alternative (``format=csv`` or ``Accept: text/csv``).
CSV_CONTENT = {"text/csv": {"schema": {"type": "string"}}}


class RoomSeriesAttributesSchema(SeriesAttributesSchema):
    """A room's series (read only): one entry of ``lines`` per installation."""

    lines = ma.fields.List(
        ma.fields.Dict(),
        metadata={
            "description": "installation_id, node_alias and one column per "
            "quantity and aggregate, aligned to timestamps_s (null: no bucket)."
        },
    )


ROOM_SERIES_DOCUMENTS = document_schemas(
    "Room-Series", RoomSeriesAttributesSchema, name="RoomSeries"
)
