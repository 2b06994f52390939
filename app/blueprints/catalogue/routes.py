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


@blp.route("/quantities/")
class QuantityList(_EntryList):
    kind = QUANTITY
    get = docs.lists(blp, QUANTITY_DOCUMENTS)(_EntryList.get)
    post = docs.creates(blp, QUANTITY_DOCUMENTS)(_EntryList.post)


@blp.route("/quantities/<int:pk>/")
class QuantityItem(_EntryItem):
    kind = QUANTITY
    get = docs.reads(blp, QUANTITY_DOCUMENTS)(_EntryItem.get)
    patch = docs.updates(blp, QUANTITY_DOCUMENTS)(_EntryItem.patch)
    put = docs.updates(blp, QUANTITY_DOCUMENTS, partial=False)(_EntryItem.put)


@blp.route("/protocols/")
class ProtocolList(_EntryList):
    kind = PROTOCOL
    get = docs.lists(blp, PROTOCOL_DOCUMENTS)(_EntryList.get)
    post = docs.creates(blp, PROTOCOL_DOCUMENTS)(_EntryList.post)


@blp.route("/protocols/<int:pk>/")
class ProtocolItem(_EntryItem):
    kind = PROTOCOL
    get = docs.reads(blp, PROTOCOL_DOCUMENTS)(_EntryItem.get)
    patch = docs.updates(blp, PROTOCOL_DOCUMENTS)(_EntryItem.patch)
    put = docs.updates(blp, PROTOCOL_DOCUMENTS, partial=False)(_EntryItem.put)


@blp.route("/models/")
class ModelList(_EntryList):
    kind = MODEL
    get = docs.lists(blp, MODEL_DOCUMENTS)(_EntryList.get)
    post = docs.creates(blp, MODEL_DOCUMENTS)(_EntryList.post)


@blp.route("/models/<int:pk>/")
class ModelItem(_EntryItem):
    kind = MODEL
    get = docs.reads(blp, MODEL_DOCUMENTS)(_EntryItem.get)
    patch = docs.updates(blp, MODEL_DOCUMENTS)(_EntryItem.patch)
    put = docs.updates(blp, MODEL_DOCUMENTS, partial=False)(_EntryItem.put)
