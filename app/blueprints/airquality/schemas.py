"""Query arguments of the air-quality endpoints, and the month in the path."""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma

from app.blueprints.docs import document_schemas
from app.jsonapi import ParameterError
from app.services.airquality import YearMonth

TRUE_WORDS = frozenset({"true", "1"})
_YEAR_MONTH = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})")


class Flag(ma.fields.Field[bool]):
    """A query flag: ``true`` or ``1`` in any case turn it on, anything else off.

    The Clair clients send ``include_histogram=True``; unknown words are not an
    error, as in the reference.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> bool:
        return str(value).strip().lower() in TRUE_WORDS


class AirQualityQueryArgsSchema(ma.Schema):
    """Query arguments of ``/rooms/<id>/airquality/``; other parameters are ignored."""

    class Meta:
        unknown = ma.EXCLUDE

    include_histogram = Flag(
        load_default=False,
        metadata={
            "description": "`true` or `1` (any case): add `airq_hist`, the mean "
            "CO2 per weekday and local hour",
            "type": "string",
        },
    )
    include_days = Flag(
        load_default=False,
        metadata={
            "description": "`true` or `1` (any case): add `airq_days`, the daily "
            "table the medal is decided on",
            "type": "string",
        },
    )


def parse_year_month(raw: str) -> YearMonth:
    """Parse the ``YYYY-MM`` path segment.

    Raises:
        ParameterError: not ``YYYY-MM`` or no such month (400, parameter
            ``year_month``).
    """
    match = _YEAR_MONTH.fullmatch(raw)
    try:
        if match is None:
            raise ValueError(raw)
        return YearMonth(int(match["year"]), int(match["month"]))
    except ValueError:
        raise ParameterError(
            f'Invalid month "{raw}": expected YYYY-MM with a month 01-12 '
            "of the years 1970-2037, e.g. 2020-10.",
            parameter="year_month",
        ) from None


class AirQualityDaySchema(ma.Schema):
    """One day of the daily table."""

    date = ma.fields.String()
    from_timestamp_s = ma.fields.Integer()
    to_timestamp_s = ma.fields.Integer()
    is_valid = ma.fields.Boolean()
    gap_duration_s = ma.fields.Integer()
    max_co2_ppm = ma.fields.Float(allow_none=True)
    mean_co2_ppm = ma.fields.Float(allow_none=True)
    excess_duration_s = ma.fields.Integer(allow_none=True)
    excess_score = ma.fields.Float(allow_none=True)


class AirQualityAttributesSchema(ma.Schema):
    """The room's indicator (read only); the histogram and days on request."""

    query_timestamp_s = ma.fields.Integer()
    from_timestamp_s = ma.fields.Integer()
    to_timestamp_s = ma.fields.Integer()
    clean_air_medal = ma.fields.Boolean(allow_none=True)
    airq_hist = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.Float()),
        metadata={"description": "Mean CO2 per hour (24 values) by weekday"},
    )
    airq_days = ma.fields.List(ma.fields.Nested(AirQualityDaySchema))


AIRQUALITY_DOCUMENTS = document_schemas("room-airquality", AirQualityAttributesSchema)
