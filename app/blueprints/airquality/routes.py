"""``/api/v1/rooms/<id>/airquality/``: the clean-air medal and weekday CO2 profile."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.airquality.render import airquality_resource
from app.blueprints.airquality.schemas import (
    AIRQUALITY_DOCUMENTS,
    AirQualityQueryArgsSchema,
    parse_year_month,
)
from app.jsonapi import JsonApiBlueprint
from app.services.airquality import AirQualityQuery, YearMonth, room_air_quality
from app.services.ops.replica import read_session

blp = JsonApiBlueprint(
    "airquality",
    __name__,
    url_prefix="/api/v1/rooms",
    description="Air quality of a room: the clean-air medal, the daily table and "
    "the mean CO2 per weekday and hour, in the analysis time zone.",
)

#: How the rooms with several sensors (e.g. a large classroom) are analysed.
ROOM_SERIES = (
    "The room's CO2 series is built on a 10-minute grid from the installations "
    "the caller may see. Several nodes installed in the room at the same time "
    "are combined: at each grid point the room's value is the highest of their "
    "values (the worst corner of the room decides), and a point is missing only "
    "when every node misses it."
)


def _answer(
    room_id: int, month: YearMonth | None, args: dict[str, Any]
) -> ResponseReturnValue:
    now = datetime.now(UTC)
    query = AirQualityQuery(
        room_id=room_id,
        month=month,
        include_histogram=args["include_histogram"],
        include_days=args["include_days"],
    )
    result = room_air_quality(
        read_session(),
        current_actor(),
        query,
        timezone=current_app.config["ANALYSIS_TIMEZONE"],
        now=now,
    )
    return docs.one(airquality_resource(result, int(now.timestamp())))


#: The month in the path, as :func:`parse_year_month` takes it (1970-01 to 2037-12).
YEAR_MONTH = {
    "in": "path",
    "name": "year_month",
    "schema": {
        "type": "string",
        "pattern": "^(19[7-9][0-9]|20[0-2][0-9]|203[0-7])-(0[1-9]|1[0-2])$",
    },
}


@blp.route("/<int:room_id>/airquality/")
class RoomAirQualityRecent(MethodView):
    @blp.arguments(AirQualityQueryArgsSchema, location="query")
    @docs.reads(blp, AIRQUALITY_DOCUMENTS)
    @blp.doc(description=ROOM_SERIES)
    def get(self, args: dict[str, Any], room_id: int) -> ResponseReturnValue:
        """Get the air quality of a room over the 30 days before today."""
        return _answer(room_id, None, args)


@blp.route("/<int:room_id>/airquality/<year_month>", parameters=[YEAR_MONTH])
class RoomAirQualityMonth(MethodView):
    @blp.arguments(AirQualityQueryArgsSchema, location="query")
    @docs.reads(blp, AIRQUALITY_DOCUMENTS)
    @blp.doc(description=ROOM_SERIES)
    def get(
        self, args: dict[str, Any], room_id: int, year_month: str
    ) -> ResponseReturnValue:
        """Get the air quality of a room in a calendar month (YYYY-MM, local time)."""
        return _answer(room_id, parse_year_month(year_month), args)
