"""What every dashboard page shares: sign-in, headers, the month parameter, framing."""

from __future__ import annotations

import re
from datetime import datetime

from flask_babel import gettext

from flask import Response, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from app.authn import current_actor
from app.errors import ValidationError
from app.http import HTML_CSP
from app.jsonapi.exceptions import ParameterError
from app.security import sessions
from app.services.airquality.period import FIRST_YEAR, LAST_YEAR, YearMonth

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
#: A path a form may send the browser back to: below /dashboard/, no backslash, no
#: control character (a CR/LF would split the ``Location`` header), and short
#: enough for any client's header limits.
_SAME_PAGE = re.compile(r"/dashboard/[^\\\x00-\x1f\x7f]{0,2000}")


def sign_in_first() -> BaseResponse | None:
    """Send anonymous visitors of a members' page to the log-in, then back."""
    if current_actor().is_authenticated:
        return None
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def same_page(path: str | None) -> str:
    """Where a form sends the browser back: a dashboard path of this server only."""
    if path and _SAME_PAGE.fullmatch(path):
        return path
    return url_for("dashboard.index")


def private(response: Response) -> Response:
    """A member's page names their data: no shared cache may keep it."""
    response.headers["Cache-Control"] = "no-store"
    return response


def public(response: Response) -> Response:
    """Public pages show anyone's data, but in the visitor's language and with
    their language switch's CSRF token: a browser may keep them a minute, a
    shared cache not at all."""
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


def embeddable(response: Response) -> Response:
    """Let this server and ``EMBED_FRAME_ANCESTORS`` frame the page (and no one else).

    ``app.http`` leaves out ``X-Frame-Options: DENY`` for a page whose own policy
    names its frame ancestors.
    """
    ancestors = " ".join(("'self'", *current_app.config["EMBED_FRAME_ANCESTORS"]))
    response.headers["Content-Security-Policy"] = HTML_CSP.replace(
        "frame-ancestors 'none'", f"frame-ancestors {ancestors}"
    )
    # No switch and no flashed messages in an embed: the same for everyone, a
    # minute old is fresh enough, and no session cookie is sent with it (Flask
    # would refresh a signed-in viewer's). A viewer with a session still sees
    # the embed in their language: only their browser's cache may keep it.
    sessions.leave_cookie_alone()
    carries_session = (
        current_app.session_interface.get_cookie_name(current_app) in request.cookies
    )
    scope = "private" if carries_session else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age=60"
    # in the visitor's language: a shared cache keeps one copy per language
    # (``Cookie`` for the language cookie is there already)
    response.vary.update(("Accept-Language", "Cookie"))
    return response


def month_arg(now_local: datetime) -> YearMonth:
    """The ``month`` query parameter (``YYYY-MM``), this month by default.

    Raises:
        ParameterError: not a month between 1970-01 and 2037-12 (400).
    """
    raw = request.args.get("month")
    if raw is None:
        return YearMonth(now_local.year, now_local.month)
    match = _MONTH.fullmatch(raw)
    try:
        if match is None:
            raise ValueError(raw)
        return YearMonth(int(match[1]), int(match[2]))
    except ValueError:
        raise ParameterError(
            gettext(
                "Expected a month as YYYY-MM between %(first)s and %(last)s.",
                first=f"{FIRST_YEAR}-01",
                last=f"{LAST_YEAR}-12",
            ),
            parameter="month",
        ) from None


def refused(error: ParameterError) -> tuple[str, int]:
    """A 400 page in the dashboard's frame naming the query parameter at fault,
    what it was and what is accepted (werkzeug's page names none of them)."""
    parameter = error.parameter or ""
    html = render_template(
        "dashboard/bad_request.html",
        parameter=parameter,
        value=request.args.get(parameter, ""),
        detail=error.detail,
    )
    return html, 400


def not_found() -> tuple[str, int]:
    """A 404 page in the dashboard's frame and the page's language, the same for
    a missing and a hidden place (werkzeug's English page had no way on)."""
    return render_template("dashboard/not_found.html"), 404


def unverified() -> tuple[str, int]:
    """A 403 page in the dashboard's frame for a form whose CSRF token is missing
    or stale (an expired session, a page kept open): what to do, in the page's
    language (Flask-WTF's reasons are English only), and a way back."""
    html = render_template(
        "dashboard/refused.html",
        detail=gettext(
            "This form could not be verified. Please go back, reload the page "
            "and try again."
        ),
        back=same_page(request.form.get("next")),
    )
    return html, 403


def refused_value(error: ValidationError) -> tuple[str, int]:
    """A 400 page in the dashboard's frame with why a form's value was refused,
    and a link back to the page the form was on."""
    html = render_template(
        "dashboard/refused.html",
        detail=error.detail,
        back=same_page(request.form.get("next")),
    )
    return html, error.status
