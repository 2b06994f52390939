"""``/api/v1/``: links to every resource collection (public)."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.jsonapi import JsonApiBlueprint, absolute_url

blp = JsonApiBlueprint(
    "root", __name__, url_prefix="/api/v1", description="The API root document."
)

#: The collections of the reference's root document, in its order.
COLLECTIONS = (
    "quantities",
    "protocols",
    "models",
    "nodes",
    "fidelity",
    "users",
    "organizations",
    "memberships",
    "sites",
    "addresses",
    "rooms",
    "installations",
    "node-timeseries",
    "installation-timeseries",
)


@blp.route("/")
class Root(MethodView):
    """The API root."""

    def get(self) -> ResponseReturnValue:
        """Link every resource collection by name."""
        return {
            "data": {name: absolute_url(f"/api/v1/{name}/") for name in COLLECTIONS}
        }
