"""``/`` and ``/dashboard/``: a page that says where to go.

``/dashboard/`` is where the sign-in lands (``LOGIN_REDIRECT_URL``), and the
dashboards are not served by this application yet; rather than a 404 both
paths show the way to the account pages, the API documentation and, for
staff, the back office. Nothing here is JSON: the API root is ``/api/v1/``.
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template

blp = Blueprint("start", __name__)


@blp.get("/")
@blp.get("/dashboard/")
def index() -> Response:
    """Show who is signed in and where to go: account, API docs, back office."""
    response = make_response(render_template("start/index.html"))
    # The page names the signed-in user: no shared cache may keep it.
    response.headers["Cache-Control"] = "no-store"
    return response
