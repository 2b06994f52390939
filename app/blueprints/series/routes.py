"""``/api/v1/installations/<id>/series/``, ``/api/v1/nodes/<id>/series/`` and
``/api/v1/rooms/<id>/series/``."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from flask import current_app
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.series.render import (
    json_response,
    room_series_csv,
    room_series_document,
    series_csv,
    series_document,
    wants_csv,
)
from app.blueprints.series.schemas import (
    CSV_CONTENT,
    INSTALLATION_SERIES_DOCUMENTS,
    NODE_SERIES_DOCUMENTS,
    ROOM_SERIES_DOCUMENTS,
    SeriesArgsSchema,
)
from app.extensions import db
from app.jsonapi import JsonApiBlueprint
from app.services.ops.replica import read_session
from app.services.series import timeseries
from app.services.series.downsampled import Series, SeriesQuery
from app.services.series.epoch import EPOCH
from app.services.series.rooms import room_series
from app.services.series.window import Window

blp = JsonApiBlueprint(
    "series",
    __name__,
    url_prefix="/api/v1",
    description=(
        "Downsampled series: buckets of 10 minutes, 1 hour or 1 local day with "
        "avg/min/max/count per quantity, columnar, as JSON:API or CSV."
    ),
)


def _query(args: dict[str, Any], now: datetime) -> SeriesQuery:
    start = args.get("start") or EPOCH
    end = args.get("end") or now
    return SeriesQuery(
        window=Window.inclusive(start, end),
        resolution=args["resolution"],
        aggregates=tuple(dict.fromkeys(args["aggregates"])),
        quantities=tuple(dict.fromkeys(args["quantities"])),
        tz=args.get("tz") or current_app.config["ANALYSIS_TIMEZONE"],
        max_points=args["max_points"],
    )


def _answer(
    kind: str, load: Callable[..., Series], pk: Any, args: dict[str, Any]
) -> ResponseReturnValue:
    """Read the series of the ``kind`` (``installation`` or ``node``) ``pk`` through
    ``load`` and answer it as CSV or as a JSON:API document."""
    now = datetime.now(UTC)
    series = load(db.session(), current_actor(), pk, _query(args, now), read_session())
    if wants_csv(args.get("format")):
        return series_csv(series, f"{kind}-{pk}-series.csv")
    link = f"/api/v1/{kind}s/{pk}/series/"
    document = series_document(f"{kind.capitalize()}-Series", pk, link, series, now)
    return json_response(document)


@blp.route("/installations/<int:pk>/series/")
class InstallationSeries(MethodView):
    """The series of one installation, clipped to its interval."""

    @blp.arguments(SeriesArgsSchema, location="query", unknown=ma.RAISE)
    @docs.reads_or(blp, INSTALLATION_SERIES_DOCUMENTS, CSV_CONTENT, "The series")
    def get(self, args: dict[str, Any], pk: int) -> ResponseReturnValue:
        """Get the downsampled series of an installation"""
        return _answer("installation", timeseries.installation_series, pk, args)


@blp.route("/nodes/<uuid:pk>/series/")
class NodeSeries(MethodView):
    """The series of one node (members of its organization only)."""

    @blp.arguments(SeriesArgsSchema, location="query", unknown=ma.RAISE)
    @docs.reads_or(blp, NODE_SERIES_DOCUMENTS, CSV_CONTENT, "The series")
    def get(self, args: dict[str, Any], pk: uuid.UUID) -> ResponseReturnValue:
        """Get the downsampled series of a node"""
        return _answer("node", timeseries.node_series, pk, args)


@blp.route("/rooms/<int:pk>/series/")
class RoomSeries(MethodView):
    """The series of a room: one line per installation the caller may see."""

    @blp.arguments(SeriesArgsSchema, location="query", unknown=ma.RAISE)
    @docs.reads_or(blp, ROOM_SERIES_DOCUMENTS, CSV_CONTENT, "The series")
    def get(self, args: dict[str, Any], pk: int) -> ResponseReturnValue:
        """Get the downsampled series of a room, one line per installation"""
        now = datetime.now(UTC)
        series = room_series(
            db.session(), current_actor(), pk, _query(args, now), read_session()
        )
        if wants_csv(args.get("format")):
            return room_series_csv(series, f"room-{pk}-series.csv")
        link = f"/api/v1/rooms/{pk}/series/"
        return json_response(room_series_document(pk, link, series, now))
