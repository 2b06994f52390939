"""The dashboard, the plots' JSON, the room heat map and the language switch."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from flask_admin import expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from flask import current_app, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue

from sqlalchemy import func, select

from app.admin.base import JSON_METHODS, StaffIndexView, StaffView, back_office_actor
from app.db import transaction
from app.errors import DomainError, NotFoundError
from app.extensions import db
from app.models import Installation, Node, Organization, Room, Sample
from app.models.types import utcnow
from app.security import sessions
from app.services import admin_plots, fidelity_overview, staff_users
from app.services.admin_plots import PlotSeries
from app.services.airquality import AirQualityQuery, room_air_quality
from app.services.airquality.rules import WEEKDAYS

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
#: (ppm, RGB) stops of the heat map's colour scale; values between blend linearly.
HEAT_STOPS = ((800.0, (46, 160, 67)), (1000.0, (240, 200, 40)), (1400.0, (200, 40, 40)))


def heat_colour(ppm: float) -> str:
    """Return the CSS colour of a mean CO2 concentration in the heat map."""
    low_ppm, low = HEAT_STOPS[0]
    if ppm <= low_ppm:
        return "rgb({}, {}, {})".format(*low)
    for high_ppm, high in HEAT_STOPS[1:]:
        if ppm <= high_ppm:
            share = (ppm - low_ppm) / (high_ppm - low_ppm)
            mixed = (round(a + (b - a) * share) for a, b in zip(low, high, strict=True))
            return "rgb({}, {}, {})".format(*mixed)
        low_ppm, low = high_ppm, high
    return "rgb({}, {}, {})".format(*low)


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
        newest = session.scalar(select(func.max(Sample.time)))
        summary = fidelity_overview.overview(session, back_office_actor(), limit=0)
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
            key = uuid.UUID(node_id)
        except ValueError:
            raise NotFoundError(f"No node with id {node_id}.") from None
        series = admin_plots.node_series(
            db.session(), back_office_actor(), key, now=utcnow()
        )
        return jsonify(series_json(series))

    @expose("/installation/<int:installation_id>/")
    def installation(self, installation_id: int) -> ResponseReturnValue:
        """Return the installation's hourly means of the last 7 days of its period."""
        series = admin_plots.installation_series(
            db.session(), back_office_actor(), installation_id, now=utcnow()
        )
        return jsonify(series_json(series))


def room_profile(room_id: int) -> tuple[dict[str, list[float]] | None, str | None]:
    """Return the room's weekday × hour CO2 profile of the last 30 days, or why not."""
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
    return {"en": gettext("English"), "de": gettext("German")}.get(code, code)
