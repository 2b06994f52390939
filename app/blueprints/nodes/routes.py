"""``/api/v1/nodes/``: sensor nodes, members only, with their sample figures."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.catalogue.render import model_resource, protocol_resource
from app.blueprints.catalogue.schemas import MODEL_DOCUMENTS, PROTOCOL_DOCUMENTS
from app.blueprints.common import body, create_input, now_s, to_one_id
from app.blueprints.filters import (
    DetailQuery,
    OwnedSearchArgsSchema,
    TimeSliceArgsSchema,
)
from app.blueprints.installations.render import installation_resource
from app.blueprints.installations.schemas import INSTALLATION_DOCUMENTS
from app.blueprints.nodes.render import node_resource
from app.blueprints.nodes.schemas import NODE_DOCUMENTS, NodeAttributesSchema
from app.blueprints.organizations.schemas import ORGANIZATION_DOCUMENTS
from app.blueprints.sites.render import organization_resource
from app.db import transaction
from app.extensions import db
from app.jsonapi import (
    JsonApiBlueprint,
    ResourceInput,
    parse_id,
    parse_query_params,
    parse_resource,
    single,
)
from app.jsonapi.attributes import load_attributes
from app.jsonapi.spooled import answer_with_list
from app.models import Node, NodeModel, Organization, Protocol
from app.services import access
from app.services.inventory import catalogue, installations, nodes
from app.services.series.window import Bounds

blp = JsonApiBlueprint(
    "nodes",
    __name__,
    url_prefix="/api/v1/nodes",
    description="Sensor nodes (members of the owning organization only).",
)

EXTRA = ("include_timeseries",)
ATTRIBUTES = NodeAttributesSchema()


def _write(res: ResourceInput, partial: bool) -> nodes.NodeWrite:
    attributes = load_attributes(ATTRIBUTES, res.attributes, partial=partial)
    return nodes.NodeWrite(
        attributes=attributes,
        id=None if res.id is None else parse_id(res.id, UUID, "/data/id"),
        protocol_id=to_one_id(res, "protocol", "Protocol", int, partial=partial),
        model_id=to_one_id(res, "model", "Model", int, partial=partial),
        owner_id=to_one_id(res, "owner", "Organization", int, partial=partial),
    )


ORDER = ("eui64",)  # nodes_select's order


@blp.route("/")
class NodeList(MethodView):
    @blp.arguments(OwnedSearchArgsSchema, location="query")
    @docs.lists(blp, NODE_DOCUMENTS, docs.sort_parameter(*ORDER))
    def get(self, args: dict[str, Any]) -> ResponseReturnValue:
        """List the nodes of the caller's organizations with their sample figures."""
        params = parse_query_params(allowed_extra=EXTRA, order=ORDER)
        params.check_include(())
        filters = nodes.NodeFilters(**args)
        listing = nodes.list_nodes(
            db.session(), current_actor(), filters, docs.page(params)
        )
        return docs.paged(listing, params, node_resource)

    @docs.creates(blp, NODE_DOCUMENTS)
    def post(self) -> ResponseReturnValue:
        """Register a node (with a client-chosen UUID) for an organization you own."""
        actor = current_actor()
        with transaction() as session:
            res = create_input(
                session, actor, "Node", "owner", "Organization", Organization
            )
            node = nodes.create_node(session, actor, _write(res, partial=False))
            (view,) = nodes.with_stats(session, [node])
            return docs.created(single(node_resource(view)))


@blp.route("/<uuid:pk>/")
class NodeItem(MethodView):
    @blp.arguments(TimeSliceArgsSchema, location="query")
    @docs.reads(blp, NODE_DOCUMENTS)
    def get(self, query: DetailQuery, pk: UUID) -> ResponseReturnValue:
        """Get a node; ``filter[from]``/``filter[to]`` slice its samples."""
        params = parse_query_params(allowed_extra=EXTRA)
        params.check_include(())
        query_s = now_s()
        view = nodes.node_detail(
            db.session(), current_actor(), pk, query.bounds, query.with_samples
        )
        return answer_with_list(
            view.samples,
            lambda samples: docs.one(node_resource(view, query_s, samples), params),
        )

    @docs.updates(blp, NODE_DOCUMENTS)
    def patch(self, pk: UUID) -> ResponseReturnValue:
        """Change a node (OWNER); moving it needs OWNER rights on both organizations."""
        return self._update(pk, partial=True)

    @docs.updates(blp, NODE_DOCUMENTS, partial=False)
    def put(self, pk: UUID) -> ResponseReturnValue:
        """Replace a node (OWNER)."""
        return self._update(pk, partial=False)

    def delete(self, pk: UUID) -> ResponseReturnValue:
        """Delete a node with its installations and samples (OWNER)."""
        with transaction() as session:
            nodes.delete_node(session, current_actor(), pk)
        return docs.no_content()

    def _update(self, pk: UUID, partial: bool) -> ResponseReturnValue:
        query_s = now_s()
        actor = current_actor()
        with transaction() as session:
            access.get_owned(session, actor, Node, pk)  # 401, 404, 403 before 400
            res = parse_resource(body(), "Node", pk, require_id=True)
            nodes.update_node(session, actor, pk, _write(res, partial))
            view = nodes.node_detail(session, actor, pk, Bounds())
        return docs.one(node_resource(view, query_s))


@blp.route("/<uuid:pk>/protocol/")
@docs.reads(blp, PROTOCOL_DOCUMENTS)
def node_protocol(pk: UUID) -> ResponseReturnValue:
    """Get the protocol of a node."""
    return docs.one(
        protocol_resource(_entry_of(pk, Protocol, lambda node: node.protocol_id))
    )


@blp.route("/<uuid:pk>/model/")
@docs.reads(blp, MODEL_DOCUMENTS)
def node_model(pk: UUID) -> ResponseReturnValue:
    """Get the model of a node."""
    return docs.one(
        model_resource(_entry_of(pk, NodeModel, lambda node: node.model_id))
    )


def _entry_of(
    pk: UUID, entry: type[catalogue.Entry], ident: Callable[[Node], int]
) -> catalogue.Entry:
    """The catalogue entry of a node the caller may see (its ``ident``)."""
    session = db.session()
    node = nodes.get_node(session, current_actor(), pk)
    return catalogue.get_entry(session, entry, ident(node))


@blp.route("/<uuid:pk>/owner/")
@docs.reads(blp, ORGANIZATION_DOCUMENTS)
def node_owner(pk: UUID) -> ResponseReturnValue:
    """Get the organization that owns a node."""
    session = db.session()
    actor = current_actor()
    node = nodes.get_node(session, actor, pk)
    org = access.get_visible(session, actor, Organization, node.owner_id)
    return docs.one(organization_resource(org))


@blp.route("/<uuid:pk>/installations/")
@docs.lists(blp, INSTALLATION_DOCUMENTS, paged=False)
def node_installations(pk: UUID) -> ResponseReturnValue:
    """List every installation of a node (not paginated)."""
    session = db.session()
    rows = nodes.node_installations(session, current_actor(), pk)
    query_s = now_s()
    views = installations.with_stats(session, rows)
    return docs.unpaged(
        views,
        docs.NO_QUERY,
        lambda view: installation_resource(view, query_s),
    )
