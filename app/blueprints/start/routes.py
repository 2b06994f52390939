"""``/``: signed-in users go to the dashboard, everyone else gets a start page.

The start page shows the way to signing in and up, the public places, the API
documentation and, for staff, the back office. Nothing here is JSON: the API
root is ``/api/v1/``.
"""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from app.authn import current_actor
from app.extensions import db
from app.services.dashboard.places import public_sites

blp = Blueprint("start", __name__)


@blp.get("/")
def index() -> ResponseReturnValue:
    """Send signed-in users to the dashboard; show others where to go."""
    if current_actor().user_id is not None:
        return redirect(url_for("dashboard.index"))
    response = make_response(
        render_template("start/index.html", sites=public_sites(db.session()))
    )
    # The page answers signed-in and anonymous visitors differently.
    response.headers["Cache-Control"] = "no-store"
    return response
