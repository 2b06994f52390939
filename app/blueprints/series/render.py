"""Series as JSON:API resources (columnar attributes) or CSV."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import orjson

from flask import Response, request

from app.blueprints.series.csv_cells import csv_writer
from app.jsonapi import (
    JSON_MEDIA_TYPE,
    JSONAPI_MEDIA_TYPE,
    JsonObject,
    resource,
    single,
)
from app.services.series.downsampled import Series, column_names
from app.services.series.epoch import to_epoch
from app.services.series.rooms import RoomSeries
from app.services.series.window import Window

CSV_MEDIA_TYPE = "text/csv"


def wants_csv(format_: str | None) -> bool:
    """Whether to answer CSV: ``format=csv``, or ``Accept`` prefers ``text/csv``."""
    if format_ is not None:
        return format_ == "csv"
    offered = [JSONAPI_MEDIA_TYPE, JSON_MEDIA_TYPE, CSV_MEDIA_TYPE]
    return request.accept_mimetypes.best_match(offered) == CSV_MEDIA_TYPE


def json_response(document: JsonObject) -> Response:
    """``application/vnd.api+json`` serialized with orjson.

    A year of hourly buckets or a month of samples is 0.3-1 MB of JSON: the standard
    library takes ~20 ms for that, orjson ~1 ms. Keys keep their order; text stays
    UTF-8, as with the app's JSON provider.
    """
    return Response(orjson.dumps(document), mimetype=JSONAPI_MEDIA_TYPE)


def series_document(
    type_: str, id_: Any, self_link: str, series: Series, now: datetime
) -> JsonObject:
    """``{"data": {"type", "id", "attributes": {...columns}, "links"}}``."""
    attributes = {
        **_head(series.resolution, series.tz, series.window, now),
        "timestamps_s": series.timestamps_s,
        **series.columns,
    }
    return single(resource(type_, id_, attributes, self_link=self_link))


def _head(resolution: str, tz: str, window: Window, now: datetime) -> dict[str, Any]:
    """What every series answer states before its columns."""
    return {
        "resolution": resolution,
        "tz": tz,
        "query_timestamp_s": to_epoch(now),
        "from_timestamp_s": to_epoch(window.start),
        "to_timestamp_s": to_epoch(max(window.start, window.last)),
    }


def room_series_document(
    room_id: int, self_link: str, series: RoomSeries, now: datetime
) -> JsonObject:
    """A ``Room-Series``: the shared ``timestamps_s`` and one entry of ``lines`` per
    installation, its columns aligned to them."""
    names = column_names(series.query)
    attributes = {
        **_head(
            series.resolution, series.tz, series.window or series.query.window, now
        ),
        "timestamps_s": series.timestamps_s,
        "lines": [
            {
                "installation_id": line.installation.id,
                "node_alias": line.installation.node.alias,
                **{name: series.column(line, name) for name in names},
            }
            for line in series.lines
        ],
    }
    return single(resource("Room-Series", room_id, attributes, self_link=self_link))


def room_series_csv(series: RoomSeries, filename: str) -> Response:
    """A room's series as CSV, one row per installation and bucket (long format:
    spreadsheets filter it by ``installation_id``)."""
    out = io.StringIO()
    writer = csv_writer(out)
    names = column_names(series.query)
    writer.writerow(["timestamp_s", "installation_id", "node_alias", *names])
    for line in series.lines:
        columns = [line.series.columns[name] for name in names]
        alias = line.installation.node.alias
        for index, stamp in enumerate(line.series.timestamps_s):
            cells = (column[index] for column in columns)
            writer.writerow([stamp, line.installation.id, alias, *cells])
    return _csv_response(out.getvalue(), filename)


def series_csv(series: Series, filename: str) -> Response:
    """The series as CSV: ``timestamp_s`` and one column per quantity and aggregate."""
    out = io.StringIO()
    writer = csv_writer(out)
    names = list(series.columns)
    writer.writerow(["timestamp_s", *names])
    columns = [series.columns[name] for name in names]
    for index, stamp in enumerate(series.timestamps_s):
        writer.writerow([stamp, *(column[index] for column in columns)])
    return _csv_response(out.getvalue(), filename)


def _csv_response(text: str, filename: str) -> Response:
    return Response(
        text,
        mimetype=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
