"""The device catalogue: quantities, protocols and node models (with their nodes)."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l

import marshmallow as ma

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.admin.base import ServiceModelView
from app.admin.forms import attributes
from app.blueprints.catalogue.schemas import (
    ModelAttributesSchema,
    ProtocolAttributesSchema,
    QuantityAttributesSchema,
)
from app.extensions import db
from app.models import Node, NodeModel, Protocol, Quantity
from app.services.access import Actor
from app.services.inventory import catalogue

#: Nodes listed on a model's page; the rest are one click away.
NODES_SHOWN = 100


class CatalogueAdmin(ServiceModelView):
    """A catalogue entry, written through the catalogue service (staff only)."""

    catalogue_model: ClassVar[type[Any]]
    schema: ClassVar[type[ma.Schema]]
    fields: ClassVar[tuple[str, ...]]

    def _write(self, form: Any) -> catalogue.CatalogueWrite:
        required = tuple(
            name for name, field in self.schema().fields.items() if field.required
        )
        return catalogue.CatalogueWrite(
            attributes=attributes(form, self.fields, self.schema(), required=required),
            quantity_ids=self._quantity_ids(form),
        )

    def _quantity_ids(self, form: Any) -> list[int] | None:
        return None

    def service_create(self, session: Session, actor: Actor, form: Any) -> Any:
        """Create the entry."""
        return catalogue.create_entry(
            session, actor, self.catalogue_model, self._write(form)
        )

    def service_update(
        self, session: Session, actor: Actor, model: Any, form: Any
    ) -> None:
        """Change the entry."""
        catalogue.update_entry(
            session, actor, self.catalogue_model, model.id, self._write(form)
        )

    def service_delete(self, session: Session, actor: Actor, model: Any) -> None:
        """Delete an entry nothing uses."""
        catalogue.delete_entry(session, actor, self.catalogue_model, model.id)


class QuantityAdmin(CatalogueAdmin):
    """Measured quantities."""

    catalogue_model = Quantity
    schema = QuantityAttributesSchema
    fields = ("quantity", "base_unit")
    column_list = fields
    form_columns = fields
    column_labels: ClassVar[dict[str, Any]] = {
        "quantity": _l("Quantity"),
        "base_unit": _l("Base unit"),
    }


class ProtocolAdmin(CatalogueAdmin):
    """Node protocols."""

    catalogue_model = Protocol
    schema = ProtocolAttributesSchema
    fields = ("identifier", "num_uplink_msgs", "num_downlink_msgs")
    column_list = fields
    form_columns = fields
    column_labels: ClassVar[dict[str, Any]] = {
        "identifier": _l("Identifier"),
        "num_uplink_msgs": _l("Uplink messages"),
        "num_downlink_msgs": _l("Downlink messages"),
    }


class NodeModelAdmin(CatalogueAdmin):
    """Node models; their nodes are listed on the model's pages."""

    catalogue_model = NodeModel
    schema = ModelAttributesSchema
    fields = ("name", "trade_name", "manufacturer", "sensor_type")
    edit_template = "admin/node_model_edit.html"
    details_template = "admin/node_model_details.html"
    column_list = ("name", "manufacturer", "sensor_type")
    column_searchable_list = ("name", "trade_name", "manufacturer")
    form_columns = (*fields, "quantities")
    column_labels: ClassVar[dict[str, Any]] = {
        "name": _l("Name"),
        "trade_name": _l("Trade name"),
        "manufacturer": _l("Manufacturer"),
        "sensor_type": _l("Sensor type"),
        "quantities": _l("Quantities"),
    }

    def _quantity_ids(self, form: Any) -> list[int] | None:
        return [q.id for q in form.quantities.data or ()]

    def render(self, template: str, **kwargs: Any) -> Any:
        """Give the edit and details pages the model's nodes."""
        model = kwargs.get("model")
        if template in (self.edit_template, self.details_template) and model:
            kwargs["model_nodes"], kwargs["model_nodes_total"] = self.model_nodes(model)
        return super().render(template, **kwargs)

    def model_nodes(self, model: NodeModel) -> tuple[list[Node], int]:
        """Return the first nodes of ``model`` by EUI and how many it has."""
        session = db.session
        rows = session.scalars(
            select(Node)
            .where(Node.model_id == model.id)
            .order_by(Node.eui64)
            .limit(NODES_SHOWN)
        )
        total = session.scalar(
            select(func.count()).select_from(Node).where(Node.model_id == model.id)
        )
        return list(rows), int(total or 0)
