"""``/api/v1/``: links to every resource collection (public)."""

from __future__ import annotations

import marshmallow as ma
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.blueprints import docs
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
ROOT_DOCUMENT = ma.Schema.from_dict(
    {
        "data": ma.fields.Dict(
            keys=ma.fields.String(),
            values=ma.fields.String(),
            metadata={"description": "URL of each collection by name"},
        )
    },
    name="RootDocument",
)


@blp.route("/")
class Root(MethodView):
    """The API root."""

    @docs.answers(blp, ROOT_DOCUMENT)
    def get(self) -> ResponseReturnValue:
        """Link every resource collection by name."""
        return {
            "data": {name: absolute_url(f"/api/v1/{name}/") for name in COLLECTIONS}
        }
