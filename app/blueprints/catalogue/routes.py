"""``/api/v1/quantities/``, ``/protocols/``, ``/models/``: read by anyone, written by staff."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import marshmallow as ma
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.catalogue.render import (
    model_resource,
    protocol_resource,
    quantity_resource,
)
from app.blueprints.catalogue.schemas import (
    MODEL_DOCUMENTS,
    PROTOCOL_DOCUMENTS,
    QUANTITY_DOCUMENTS,
    ModelAttributesSchema,
    ProtocolAttributesSchema,
    QuantityAttributesSchema,
)
from app.blueprints.common import body, relationship_ids
from app.blueprints.docs import DocumentSchemas
from app.db import transaction
from app.extensions import db
from app.jsonapi import (
    JsonApiBlueprint,
    JsonObject,
    parse_query_params,
    parse_resource,
)
from app.jsonapi.attributes import load_attributes
from app.models import NodeModel, Protocol, Quantity
from app.services import access
from app.services.inventory import catalogue

blp = JsonApiBlueprint(
    "catalogue",
    __name__,
    url_prefix="/api/v1",
    description="The device catalogue: quantities, protocols and node models.",
)


@dataclass(frozen=True)
class Kind:
    """How one catalogue resource is parsed and rendered."""

    type: str
    model: Any
    schema: ma.Schema
    render: Callable[[Any], JsonObject]
    to_many: tuple[str, str] | None = None


QUANTITY = Kind("Quantity", Quantity, QuantityAttributesSchema(), quantity_resource)
PROTOCOL = Kind("Protocol", Protocol, ProtocolAttributesSchema(), protocol_resource)
MODEL = Kind(
    "Model",
    NodeModel,
    ModelAttributesSchema(),
    model_resource,
    to_many=("quantities", "Quantity"),
)


def _write(kind: Kind, url_id: int | None, partial: bool) -> catalogue.CatalogueWrite:
    res = parse_resource(body(), kind.type, url_id, require_id=url_id is not None)
    attributes = load_attributes(kind.schema, res.attributes, partial=partial)
    ids = relationship_ids(res, *kind.to_many) if kind.to_many else None
    return catalogue.CatalogueWrite(attributes, ids)


class _EntryList(MethodView):
    kind: ClassVar[Kind]

    def get(self) -> ResponseReturnValue:
        """List the entries."""
        params = parse_query_params()
        params.check_include(())
        listing = catalogue.list_entries(
            db.session(), self.kind.model, docs.page(params)
        )
        return docs.paged(listing, params, self.kind.render)

    def post(self) -> ResponseReturnValue:
        """Create an entry (staff only)."""
        actor = current_actor()
        access.require_staff(actor)  # 401, 403 before 400
        write = _write(self.kind, None, partial=False)
        with transaction() as session:
            entry = catalogue.create_entry(session, actor, self.kind.model, write)
        return docs.created(docs.one(self.kind.render(entry)))


class _EntryItem(MethodView):
    kind: ClassVar[Kind]

    def get(self, pk: int) -> ResponseReturnValue:
        """Get one entry."""
        params = parse_query_params()
        params.check_include(())
        entry = catalogue.get_entry(db.session(), self.kind.model, pk)
        return docs.one(self.kind.render(entry), params)

    def patch(self, pk: int) -> ResponseReturnValue:
        """Change an entry (staff only)."""
        return self._update(pk, partial=True)

    def put(self, pk: int) -> ResponseReturnValue:
        """Replace an entry (staff only)."""
        return self._update(pk, partial=False)

    def delete(self, pk: int) -> ResponseReturnValue:
        """Delete an entry nothing uses (staff only)."""
        with transaction() as session:
            catalogue.delete_entry(session, current_actor(), self.kind.model, pk)
        return docs.no_content()

    def _update(self, pk: int, partial: bool) -> ResponseReturnValue:
        actor = current_actor()
        access.require_staff(actor)  # 401, 403 before 404 and 400
        with transaction() as session:
            catalogue.get_entry(session, self.kind.model, pk)
            write = _write(self.kind, pk, partial=partial)
            entry = catalogue.update_entry(session, actor, self.kind.model, pk, write)
        return docs.one(self.kind.render(entry))


def _route(kind: Kind, path: str, documents: DocumentSchemas) -> None:
    """Route ``/<path>/`` and ``/<path>/<pk>/`` of one kind, documented with its schemas.

    The three kinds behave alike; only the views' documentation differs.
    """
    entries = type(
        f"{kind.type}List",
        (_EntryList,),
        {
            "kind": kind,
            "get": docs.lists(blp, documents)(_EntryList.get),
            "post": docs.creates(blp, documents)(_EntryList.post),
        },
    )
    entry = type(
        f"{kind.type}Item",
        (_EntryItem,),
        {
            "kind": kind,
            "get": docs.reads(blp, documents)(_EntryItem.get),
            "patch": docs.updates(blp, documents)(_EntryItem.patch),
            "put": docs.updates(blp, documents, partial=False)(_EntryItem.put),
        },
    )
    blp.route(f"/{path}/")(entries)
    blp.route(f"/{path}/<int:pk>/")(entry)


_route(QUANTITY, "quantities", QUANTITY_DOCUMENTS)
_route(PROTOCOL, "protocols", PROTOCOL_DOCUMENTS)
_route(MODEL, "models", MODEL_DOCUMENTS)
