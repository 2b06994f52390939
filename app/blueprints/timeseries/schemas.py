"""Query arguments of Managair's time-series resources."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.blueprints.docs import document_schemas
from app.blueprints.filters import check_bounds_order
from app.services.series.epoch import MAX_DATETIME_EPOCH_S


class BoundsArgsSchema(ma.Schema):
    """``filter[from]``/``filter[to]``: whole epoch seconds, inclusive.

    Anything else in the query string is ignored, as the reference did on these
    endpoints; a bound that is not an integer is a 400 (the reference gave a 500),
    and so is ``filter[from]`` after ``filter[to]`` (the reference answered nothing).
    """

    class Meta:
        unknown = ma.EXCLUDE

    from_s = ma.fields.Integer(
        data_key="filter[from]",
        validate=validate.Range(min=0, max=MAX_DATETIME_EPOCH_S),
        metadata={"description": "Start (inclusive), epoch seconds; default 0."},
    )
    to_s = ma.fields.Integer(
        data_key="filter[to]",
        validate=validate.Range(min=0, max=MAX_DATETIME_EPOCH_S),
        metadata={"description": "End (inclusive), epoch seconds; default now."},
    )

    @ma.validates_schema
    def _check_order(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_bounds_order(data.get("from_s"), data.get("to_s"))


class _TimeseriesAttributesSchema(ma.Schema):
    """A time series (read only); ``samples`` only in the detail."""

    node_alias = ma.fields.String()
    query_timestamp_s = ma.fields.Integer()
    from_timestamp_s = ma.fields.Integer(allow_none=True)
    to_timestamp_s = ma.fields.Integer(allow_none=True)
    sample_count = ma.fields.Integer()
    samples = ma.fields.List(ma.fields.Dict())


class InstallationTimeseriesAttributesSchema(_TimeseriesAttributesSchema):
    """An installation's time series (read only)."""

    node_id = ma.fields.String()


NODE_TIMESERIES_DOCUMENTS = document_schemas(
    "Node-Timeseries", _TimeseriesAttributesSchema, name="NodeTimeseries"
)
INSTALLATION_TIMESERIES_DOCUMENTS = document_schemas(
    "Installation-Timeseries",
    InstallationTimeseriesAttributesSchema,
    name="InstallationTimeseries",
)
