"""A room with one node installed since 2020 (Berlin), and helpers to ask for its air quality."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Node, Room
from tests.support.copy_series import Co2, insert_series
from tests.support.worlds import InstalledRoom, installed_room

BERLIN = ZoneInfo("Europe/Berlin")
MARGIN = timedelta(minutes=30)
INSTALLED = datetime(2020, 1, 1, tzinfo=BERLIN)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return a Berlin wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def room_world(
    session: Session,
    from_time: datetime = INSTALLED,
    to_time: datetime | None = None,
    is_public: bool = True,
) -> InstalledRoom:
    """:func:`~tests.support.worlds.installed_room` from :data:`INSTALLED` (Berlin)."""
    return installed_room(
        session, from_time=from_time, to_time=to_time, is_public=is_public
    )


def fill(
    session: Session,
    node: Node,
    start: datetime,
    stop: datetime,
    step: timedelta = timedelta(minutes=5),
    co2_ppm: Co2 = 500,
) -> None:
    """Give ``node`` samples from ``start`` to ``stop``, plus 30 minutes either side."""
    insert_series(session, node.id, start - MARGIN, stop + MARGIN, step, co2_ppm)


def airquality(
    client: FlaskClient,
    room: Room,
    month: str | None = None,
    query: str = "include_histogram=true&include_days=true",
    headers: dict[str, str] | None = None,
) -> Any:
    """GET the air quality of ``room`` and return the response."""
    path = f"/api/v1/rooms/{room.id}/airquality/" + (month or "")
    return client.get(f"{path}?{query}", headers=headers or {})
