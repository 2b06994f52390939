"""``/dashboard/``: the organization overview, room, node and installation pages,
and the public pages and embeds of public installations and sites.

Thin views: each loads what it shows through ``app.services.dashboard`` (tenancy
in ``app.services.access``) and renders a template. Charts are drawn in the
browser from the series API (``app/static/dashboard/chart.js``), one request per
chart; nothing here writes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta
from flask_babel import get_locale, gettext
from flask_wtf.csrf import CSRFError

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound

from app.authn import current_actor
from app.blueprints.dashboard import pages
from app.db import transaction
from app.errors import NotFoundError, ValidationError
from app.extensions import db
from app.i18n import LOCALE_COOKIE
from app.jsonapi.exceptions import ParameterError
from app.security import csrf
from app.services.access import ANONYMOUS
from app.services.airquality.period import YearMonth
from app.services.airquality.rules import CLEAN_AIR_THRESHOLD_PPM
from app.services.dashboard import language as languages
from app.services.dashboard import places
from app.services.dashboard.air import GOOD_BELOW_PPM, POOR_ABOVE_PPM, band
from app.services.dashboard.month import month_air
from app.services.dashboard.overview import my_organizations, overview

blp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

#: How long a visitor's language choice is kept (a year).
LOCALE_COOKIE_MAX_AGE_S = 365 * 24 * 3600


@blp.app_template_global()
def co2_band(co2_ppm: float | None) -> str:
    """The badge class of a CO2 value (``good``, ``elevated``, ``poor``, ``none``)."""
    return band(co2_ppm).value


@blp.app_template_global()
def dashboard_languages() -> dict[str, str]:
    """The switch's choices, each named in the page's language (every dashboard
    page, the management pages of another blueprint too)."""
    return {"en": gettext("English"), "de": gettext("German")}


@blp.app_template_filter()
def local_time(moment: datetime | None) -> str:
    """``moment`` in the analysis zone, in the page's language (short form)."""
    if moment is None:
        return ""
    return format_datetime(
        moment, "short", tzinfo=ZoneInfo(_zone()), locale=get_locale()
    )


@blp.app_template_filter()
def age(moment: datetime | None) -> str:
    """How long ago ``moment`` was ("5 minutes ago", "vor 5 Minuten")."""
    if moment is None:
        return ""
    return format_timedelta(moment - _now(), add_direction=True, locale=get_locale())


@blp.context_processor
def _labels() -> dict[str, object]:
    """Thresholds and the labels every room repeats, translated once per page
    (50 rooms' badges cost 20 ms of gettext otherwise)."""
    return {
        "good_below_ppm": GOOD_BELOW_PPM,
        "poor_above_ppm": POOR_ABOVE_PPM,
        "excess_above_ppm": CLEAN_AIR_THRESHOLD_PPM,
        "band_labels": {
            "good": gettext("good"),
            "elevated": gettext("elevated"),
            "poor": gettext("poor"),
            "none": gettext("no data"),
        },
        "liveness_labels": {
            "E": gettext("alive"),
            "M": gettext("missing"),
            "D": gettext("dead"),
            "U": gettext("unknown"),
        },
        "medal_labels": (gettext("No medal"), gettext("Clean-air medal")),
    }


@blp.errorhandler(ParameterError)
def _bad_parameter(error: ParameterError) -> ResponseReturnValue:
    """A bad query parameter of a dashboard page: a 400 page that names it."""
    return pages.private(current_app.make_response(pages.refused(error)))


@blp.errorhandler(NotFoundError)
@blp.errorhandler(NotFound)
def _not_found(error: Exception) -> ResponseReturnValue:
    """A missing or hidden place: the dashboard's 404 page, not werkzeug's."""
    return pages.private(current_app.make_response(pages.not_found()))


@blp.errorhandler(CSRFError)
def _unverified(error: CSRFError) -> ResponseReturnValue:
    """The language switch sent without a valid token: a 403 page that says to
    reload (the application's handler would answer werkzeug's bare page)."""
    return pages.private(current_app.make_response(pages.unverified()))


@blp.errorhandler(ValidationError)
def _bad_value(error: ValidationError) -> ResponseReturnValue:
    """A refused form value (the language switch's): a 400 page with the message
    (werkzeug's page would show none) and a way back."""
    return pages.private(current_app.make_response(pages.refused_value(error)))


def _now() -> datetime:
    return datetime.now(UTC)


def _zone() -> str:
    return str(current_app.config["ANALYSIS_TIMEZONE"])


def _this_month() -> YearMonth:
    local = _now().astimezone(ZoneInfo(_zone()))
    return YearMonth(local.year, local.month)


# -- members' pages ------------------------------------------------------------------


@blp.get("/")
def index() -> ResponseReturnValue:
    """Open the overview of the member's first organization."""
    if (login := pages.sign_in_first()) is not None:
        return login
    organizations = my_organizations(db.session(), current_actor())
    if not organizations:
        return pages.private(
            current_app.make_response(render_template("dashboard/no_organization.html"))
        )
    return redirect(url_for(".organization", pk=organizations[0].id))


@blp.get("/organizations/<int:pk>/")
def organization(pk: int) -> ResponseReturnValue:
    """Show every room of an organization: CO2 now, sample age, liveness, medal."""
    if (login := pages.sign_in_first()) is not None:
        return login
    view = overview(db.session(), current_actor(), pk, now=_now(), timezone=_zone())
    html = render_template("dashboard/overview.html", view=view, now=_now())
    return pages.private(current_app.make_response(html))


@blp.get("/rooms/<int:pk>/")
def room(pk: int) -> ResponseReturnValue:
    """Show a room's chart and its month of air quality."""
    if (login := pages.sign_in_first()) is not None:
        return login
    actor = current_actor()
    page = places.room_page(db.session(), actor, pk)
    month = pages.month_arg(_now().astimezone(ZoneInfo(_zone())))
    quality = month_air(db.session(), actor, [pk], month, timezone=_zone(), now=_now())[
        pk
    ]
    html = render_template(
        "dashboard/room.html", page=page, quality=quality, month=month
    )
    return pages.private(current_app.make_response(html))


@blp.get("/nodes/<uuid:pk>/")
def node(pk: uuid.UUID) -> ResponseReturnValue:
    """Show a node's chart, liveness and where it has been installed."""
    if (login := pages.sign_in_first()) is not None:
        return login
    page = places.node_page(db.session(), current_actor(), pk)
    html = render_template("dashboard/node.html", page=page)
    return pages.private(current_app.make_response(html))


@blp.get("/installations/<int:pk>/")
def installation(pk: int) -> ResponseReturnValue:
    """Show an installation's chart, its node's liveness and the node's history."""
    if (login := pages.sign_in_first()) is not None:
        return login
    page = places.installation_page(db.session(), current_actor(), pk)
    html = render_template("dashboard/installation.html", page=page)
    return pages.private(current_app.make_response(html))


@blp.post("/language/")
def language() -> ResponseReturnValue:
    """Switch the dashboard's language and return to the page it was chosen on.

    Signed-in users keep it on their account; anonymous visitors in a cookie.
    """
    csrf.protect()
    actor = current_actor()
    choice = request.form.get("locale") or None
    with transaction() as session:
        languages.choose(session, actor, choice)
    response = redirect(pages.same_page(request.form.get("next")))
    if actor.user_id is None:
        if choice is None:
            response.delete_cookie(LOCALE_COOKIE, path="/")
        else:
            response.set_cookie(
                LOCALE_COOKIE,
                choice,
                max_age=LOCALE_COOKIE_MAX_AGE_S,
                path="/",
                secure=current_app.config["SESSION_COOKIE_SECURE"],
                httponly=True,
                samesite="Lax",
            )
    return response


# -- public pages and embeds -----------------------------------------------------------


def _public_medals(room_ids: tuple[int, ...], month: YearMonth) -> dict[int, bool]:
    """The medals of public installations (anyone's view)."""
    air = month_air(
        db.session(),
        ANONYMOUS,
        room_ids,
        month,
        timezone=_zone(),
        now=_now(),
        detail=False,
    )
    return {room_id: quality.clean_air_medal for room_id, quality in air.items()}


def _public_installation(pk: int, template: str, *, embedded: bool) -> str:
    inst = places.public_installation(db.session(), pk)
    month = _this_month()
    medal = _public_medals((inst.room_id,), month)
    return render_template(
        template,
        installation=inst,
        medal=medal[inst.room_id],
        month=month,
        embedded=embedded,
    )


def _public_site(pk: int, template: str, *, embedded: bool) -> str:
    page = places.public_site(db.session(), pk)
    month = _this_month()
    medals = _public_medals(tuple(r.id for r in page.rooms), month)
    return render_template(
        template,
        site=page.site,
        rooms=page.rooms,
        medals=medals,
        month=month,
        embedded=embedded,
    )


def _public_room(pk: int, template: str, *, embedded: bool) -> str:
    room = places.public_room(db.session(), pk)
    month = _this_month()
    return render_template(
        template,
        site=room.site,
        rooms=[room],
        medals=_public_medals((room.id,), month),
        month=month,
        embedded=embedded,
    )


@blp.get("/public/installations/<int:pk>/")
def public_installation(pk: int) -> ResponseReturnValue:
    """Show a public installation to anyone: live chart and its room's medal."""
    html = _public_installation(
        pk, "dashboard/public_installation.html", embedded=False
    )
    return pages.public(current_app.make_response(html))


@blp.get("/public/sites/<int:pk>/")
def public_site(pk: int) -> ResponseReturnValue:
    """Show a site's public rooms to anyone: a live chart and medal each."""
    html = _public_site(pk, "dashboard/public_site.html", embedded=False)
    return pages.public(current_app.make_response(html))


@blp.get("/embed/installations/<int:pk>/")
def embed_installation(pk: int) -> ResponseReturnValue:
    """Show a public installation inside an ``<iframe>`` on the operator's site."""
    html = _public_installation(pk, "dashboard/embed_installation.html", embedded=True)
    return pages.embeddable(current_app.make_response(html))


@blp.get("/embed/sites/<int:pk>/")
def embed_site(pk: int) -> ResponseReturnValue:
    """Show a site's public rooms inside an ``<iframe>``."""
    html = _public_site(pk, "dashboard/embed_site.html", embedded=True)
    return pages.embeddable(current_app.make_response(html))


@blp.get("/public/rooms/<int:pk>/")
def public_room(pk: int) -> ResponseReturnValue:
    """Show a room with a public installation to anyone: live chart and medal."""
    html = _public_room(pk, "dashboard/public_room.html", embedded=False)
    return pages.public(current_app.make_response(html))


@blp.get("/embed/rooms/<int:pk>/")
def embed_room(pk: int) -> ResponseReturnValue:
    """Show a room's public chart and medal inside an ``<iframe>``."""
    html = _public_room(pk, "dashboard/embed_room.html", embedded=True)
    return pages.embeddable(current_app.make_response(html))
