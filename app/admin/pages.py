"""The dashboard, the plots' JSON, the room heat map and the language switch."""

from __future__ import annotations

import uuid
from bisect import bisect_left
from typing import Any, ClassVar

from flask_admin import expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from flask import current_app, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue

from sqlalchemy import func, select

from app.admin.base import (
    JSON_METHODS,
    StaffIndexView,
    StaffView,
    back_office_actor,
    json_domain_error,
)
from app.db import transaction
from app.errors import DomainError, NotFoundError
from app.extensions import db
from app.models import Installation, Node, Organization, Room
from app.models.types import utcnow
from app.security import sessions
from app.services.accounts import staff_users
from app.services.airquality import AirQualityQuery, room_air_quality
from app.services.airquality.rules import WEEKDAYS
from app.services.fidelity import overview
from app.services.series import plots
from app.services.series.plots import PlotSeries
from app.services.series.tallies import newest_sample_time

#: The profile's keys (``airquality.rules.WEEKDAYS``) with their row labels.
WEEKDAY_LABELS = tuple(
    zip(
        WEEKDAYS,
        (
            _l("Monday"),
            _l("Tuesday"),
            _l("Wednesday"),
            _l("Thursday"),
            _l("Friday"),
            _l("Saturday"),
            _l("Sunday"),
        ),
        strict=True,
    )
)
#: Upper bounds (ppm) of the heat map's colour classes ``airq-heat-0`` … ``-9``
#: (``app/static/admin/admin.css``: green up to 800, yellow at 1000, red from 1400).
HEAT_BOUNDS = (600, 700, 800, 900, 1000, 1100, 1200, 1300, 1400)


def heat_class(ppm: float) -> int:
    """Return the colour class of a mean CO2 concentration in the heat map."""
    return bisect_left(HEAT_BOUNDS, ppm)


class DashboardView(StaffIndexView):
    """``/admin/``: what there is, and how the nodes are doing."""

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """Show counts of the inventory and the fidelity verdicts."""
        session = db.session()
        counts = {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (
                ("organizations", Organization),
                ("rooms", Room),
                ("nodes", Node),
                ("installations", Installation),
            )
        }
        newest = newest_sample_time(session)
        summary = overview.overview(session, back_office_actor(), limit=0)
        return self.render(
            "admin/dashboard.html", counts=counts, newest=newest, summary=summary
        )


def series_json(series: PlotSeries) -> dict[str, Any]:
    """Return a plot's series as the JSON the page's chart reads."""
    return {
        "start_s": int(series.start.timestamp()),
        "end_s": int(series.end.timestamp()),
        "times_s": list(series.times_s),
        "co2_ppm": list(series.co2_ppm),
        "temperature_celsius": list(series.temperature_celsius),
        "rel_humidity_percent": list(series.rel_humidity_percent),
    }


class PlotsView(StaffView):
    """JSON series for the node and installation pages (not in the menu)."""

    json_methods: ClassVar[frozenset[str]] = JSON_METHODS | {
        "index",
        "node",
        "installation",
    }

    def is_visible(self) -> bool:
        """Keep the endpoints out of the menu."""
        return False

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """Name the series endpoints."""
        return jsonify({"series": ["node/<uuid>/", "installation/<id>/"]})

    @expose("/node/<node_id>/")
    def node(self, node_id: str) -> ResponseReturnValue:
        """Return the node's hourly means of the last 7 days."""
        try:
            try:
                key = uuid.UUID(node_id)
            except ValueError:
                raise NotFoundError(f"No node with id {node_id}.") from None
            series = plots.node_series(
                db.session(), back_office_actor(), key, now=utcnow()
            )
        except DomainError as exc:
            return json_domain_error(exc)
        return jsonify(series_json(series))

    @expose("/installation/<int:installation_id>/")
    def installation(self, installation_id: int) -> ResponseReturnValue:
        """Return the installation's hourly means of the last 7 days of its period."""
        try:
            series = plots.installation_series(
                db.session(), back_office_actor(), installation_id, now=utcnow()
            )
        except DomainError as exc:
            return json_domain_error(exc)
        return jsonify(series_json(series))


def room_profile(room_id: int) -> tuple[dict[str, list[float]] | None, str | None]:
    """Return the room's weekday-by-hour CO2 profile of the last 30 days, or why not."""
    query = AirQualityQuery(room_id=room_id, include_histogram=True)
    try:
        result = room_air_quality(
            db.session(),
            back_office_actor(),
            query,
            timezone=current_app.config["ANALYSIS_TIMEZONE"],
            now=utcnow(),
        )
    except DomainError as exc:
        return None, exc.detail
    return result.histogram, None


class LocaleView(StaffView):
    """The language switch in the admin's navigation bar (the user's own setting)."""

    def is_visible(self) -> bool:
        """Keep it out of the menu (the navigation bar has the switch)."""
        return False

    @expose("/", methods=("POST",))
    def index(self) -> ResponseReturnValue:
        """Store the chosen language on the user and go back."""
        user = sessions.current_user()
        locale = request.form.get("locale") or None
        if user is not None:
            try:
                with transaction() as session:
                    staff_users.set_locale(session, user, locale)
            except DomainError:
                pass
        back = request.form.get("next") or ""
        if not back.startswith("/admin/"):
            back = url_for("admin.index")
        return redirect(back)


def language_name(code: str) -> str:
    """Name a language in the page's language."""
    names = {"en": gettext("English"), "de": gettext("German")}
    return str(names.get(code, code))
