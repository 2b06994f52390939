"""``/api/v1/fidelity/``: node liveness, for members of the nodes' organizations."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.fidelity.schemas import FIDELITY_DOCUMENTS
from app.extensions import db
from app.jsonapi import JsonApiBlueprint, JsonObject, parse_query_params
from app.services.fidelity import liveness

from .render import fidelity_resource
from .schemas import FidelityQueryArgsSchema

blp = JsonApiBlueprint(
    "fidelity",
    __name__,
    url_prefix="/api/v1/fidelity",
    description="Node liveness: ALIVE (E), MISSING (M), DEAD (D), UNKNOWN (U).",
)


@blp.route("/")
class FidelityList(MethodView):
    """The verdicts of the caller's nodes."""

    @blp.arguments(FidelityQueryArgsSchema, location="query")
    @docs.lists(blp, FIDELITY_DOCUMENTS)
    def get(self, args: dict[str, Any]) -> JsonObject:
        """List the fidelity of the nodes of your organizations"""
        params = parse_query_params()
        params.check_include(())
        filters = liveness.FidelityFilter(**args)
        listing = liveness.list_fidelity(
            db.session(), current_actor(), filters, docs.page(params)
        )
        return docs.paged(listing, params, fidelity_resource)


@blp.route("/<node_id>/")
class FidelityItem(MethodView):
    """The verdict of one node."""

    @docs.reads(blp, FIDELITY_DOCUMENTS)
    def get(self, node_id: str) -> JsonObject:
        """Get the fidelity of one of your nodes"""
        params = parse_query_params()
        params.check_include(())
        view = liveness.get_fidelity(db.session(), current_actor(), node_id)
        return docs.one(fidelity_resource(view), params)
