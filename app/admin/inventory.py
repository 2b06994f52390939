"""Addresses, sites, rooms and nodes, written through the API's services."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_babel import lazy_gettext as _l

from flask import g

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.admin.base import ServiceModelView
from app.admin.forms import attributes, related_id
from app.admin.pages import WEEKDAY_LABELS, heat_class, room_profile
from app.blueprints.nodes.schemas import NodeAttributesSchema
from app.blueprints.rooms.schemas import RoomAttributesSchema
from app.blueprints.sites.schemas import AddressAttributesSchema, SiteAttributesSchema
from app.extensions import db
from app.models import Node, NodeFidelity
from app.models.devices import Fidelity
from app.services.access import Actor
from app.services.inventory import addresses, nodes, rooms, sites

NAME = _l("Name")
DESCRIPTION = _l("Description")
FIDELITY_NAMES = {
    Fidelity.ALIVE: _l("alive"),
    Fidelity.MISSING: _l("missing"),
    Fidelity.DEAD: _l("dead"),
    Fidelity.UNKNOWN: _l("unknown"),
}


class AddressAdmin(ServiceModelView):
    """Postal addresses; one in use by sites cannot be deleted."""

    column_list = ("street1", "street2", "zip", "city", "latitude", "longitude")
    column_searchable_list = ("street1", "zip", "city")
    column_default_sort = "city"
    column_labels: ClassVar[dict[str, Any]] = {
        "street1": _l("Street"),
        "street2": _l("Street (2nd line)"),
        "zip": _l("Postcode"),
        "city": _l("City"),
        "latitude": _l("Latitude"),
        "longitude": _l("Longitude"),
    }
    form_columns = column_list
    fields = column_list

    def _attributes(self, form: Any) -> dict[str, Any]:
        return attributes(
            form,
            self.fields,
            AddressAttributesSchema(),
            required=("street1", "zip", "city"),
        )

    def service_create(self, session: Session, actor: Actor, form: Any) -> Any:
        """Create the address."""
        return addresses.create_address(session, actor, self._attributes(form))

    def service_update(
        self, session: Session, actor: Actor, model: Any, form: Any
    ) -> None:
        """Change the address (for every site using it)."""
        addresses.update_address(session, actor, model.id, self._attributes(form))

    def service_delete(self, session: Session, actor: Actor, model: Any) -> None:
        """Delete an address no site uses."""
        addresses.delete_address(session, actor, model.id)


class SiteAdmin(ServiceModelView):
    """Sites of organizations."""

    column_list = ("name", "description", "operator", "address")
    column_searchable_list = ("name", "operator.name")
    column_filters = ("operator.name",)
    column_sortable_list = ("name", ("operator", "operator.name"))
    column_default_sort = "name"
    column_labels: ClassVar[dict[str, Any]] = {
        "name": NAME,
        "description": DESCRIPTION,
        "operator": _l("Operator"),
        "operator.name": _l("Operator"),
        "address": _l("Address"),
    }
    form_columns = ("name", "description", "operator", "address")
    form_ajax_refs: ClassVar[dict[str, Any]] = {
        "operator": {"fields": ("name",)},
        "address": {"fields": ("street1", "city", "zip")},
    }

    def _write(self, form: Any) -> sites.SiteWrite:
        return sites.SiteWrite(
            attributes=attributes(
                form,
                ("name", "description"),
                SiteAttributesSchema(),
                required=("name",),
            ),
            address_id=related_id(form, "address"),
            operator_id=related_id(form, "operator"),
        )

    def service_create(self, session: Session, actor: Actor, form: Any) -> Any:
        """Create the site."""
        return sites.create_site(session, actor, self._write(form))

    def service_update(
        self, session: Session, actor: Actor, model: Any, form: Any
    ) -> None:
        """Change the site (moving it needs no installation tying it)."""
        sites.update_site(session, actor, model.id, self._write(form))

    def service_delete(self, session: Session, actor: Actor, model: Any) -> None:
        """Delete the site with its rooms and installations."""
        sites.delete_site(session, actor, model.id)


class RoomAdmin(ServiceModelView):
    """Rooms of sites; the details page shows the weekday-by-hour CO2 profile."""

    details_template = "admin/room_details.html"
    column_list = ("name", "description", "site", "size_sqm", "max_occupancy")
    column_searchable_list = ("name", "site.name")
    column_filters = ("site.name", "site.operator.name")
    column_sortable_list = ("name", ("site", "site.name"))
    column_default_sort = "name"
    column_labels: ClassVar[dict[str, Any]] = {
        "name": NAME,
        "description": DESCRIPTION,
        "site": _l("Site"),
        "site.name": _l("Site"),
        "site.operator.name": _l("Organization"),
        "size_sqm": _l("Size (m²)"),
        "height_m": _l("Height (m)"),
        "max_occupancy": _l("Maximum occupancy"),
    }
    form_columns = (
        "name",
        "description",
        "site",
        "size_sqm",
        "height_m",
        "max_occupancy",
    )
    form_ajax_refs: ClassVar[dict[str, Any]] = {"site": {"fields": ("name",)}}

    def render(self, template: str, **kwargs: Any) -> Any:
        """Give the details page the room's weekday-by-hour profile."""
        if template == self.details_template and "model" in kwargs:
            profile, error = room_profile(kwargs["model"].id)
            kwargs.update(
                profile=profile,
                profile_error=error,
                weekdays=WEEKDAY_LABELS,
                heat_class=heat_class,
            )
        return super().render(template, **kwargs)

    def _write(self, form: Any) -> rooms.RoomWrite:
        return rooms.RoomWrite(
            attributes=attributes(
                form,
                ("name", "description", "size_sqm", "height_m", "max_occupancy"),
                RoomAttributesSchema(),
                required=("name",),
            ),
            site_id=related_id(form, "site"),
        )

    def service_create(self, session: Session, actor: Actor, form: Any) -> Any:
        """Create the room."""
        return rooms.create_room(session, actor, self._write(form))

    def service_update(
        self, session: Session, actor: Actor, model: Any, form: Any
    ) -> None:
        """Change the room."""
        rooms.update_room(session, actor, model.id, self._write(form))

    def service_delete(self, session: Session, actor: Actor, model: Any) -> None:
        """Delete the room with its installations."""
        rooms.delete_room(session, actor, model.id)


class FidelityFilter(BaseSQLAFilter):  # type: ignore[misc]
    """Nodes whose latest fidelity verdict is the chosen one."""

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        """Keep the nodes with verdict ``value``."""
        verdicts = select(NodeFidelity.node_id).where(NodeFidelity.fidelity == value)
        return query.filter(Node.id.in_(verdicts))

    def operation(self) -> Any:
        """The filter's operation label."""
        return _l("equals")


def fidelity_label(view: Any, context: Any, model: Any, name: str) -> str:
    """Show a node's latest verdict (one query per page, see ``get_list``)."""
    verdict = g.get("admin_page_fidelity", {}).get(model.id)
    return "-" if verdict is None else str(FIDELITY_NAMES[verdict])


class NodeAdmin(ServiceModelView):
    """Sensor nodes; the details page plots the last 7 days."""

    details_template = "admin/node_details.html"
    column_list = ("alias", "id", "eui64", "model", "owner", "fidelity")
    column_searchable_list = ("alias", "eui64", "model.name")
    column_filters = (
        "model.name",
        "owner.name",
        FidelityFilter(
            Node.id,
            _l("Fidelity"),
            options=[(f.value, FIDELITY_NAMES[f]) for f in Fidelity],
        ),
    )
    column_sortable_list = (
        "alias",
        "eui64",
        ("model", "model.name"),
        ("owner", "owner.name"),
    )
    column_default_sort = "eui64"
    column_formatters: ClassVar[dict[str, Any]] = {"fidelity": fidelity_label}
    column_labels: ClassVar[dict[str, Any]] = {
        "alias": _l("Alias"),
        "id": "UUID",
        "eui64": "EUI-64",
        "model": _l("Model"),
        "model.name": _l("Model"),
        "owner": _l("Owner"),
        "owner.name": _l("Owner"),
        "protocol": _l("Protocol"),
        "description": DESCRIPTION,
        "fidelity": _l("Fidelity"),
    }
    form_columns = ("eui64", "alias", "description", "protocol", "model", "owner")
    form_ajax_refs: ClassVar[dict[str, Any]] = {"owner": {"fields": ("name",)}}

    def get_list(self, *args: Any, **kwargs: Any) -> Any:
        """Load the page and the fidelity verdicts of its nodes (one more query)."""
        count, rows = super().get_list(*args, **kwargs)
        ids = [row.id for row in rows]
        stmt = select(NodeFidelity.node_id, NodeFidelity.fidelity).where(
            NodeFidelity.node_id.in_(ids)
        )
        g.admin_page_fidelity = dict(db.session.execute(stmt).all()) if ids else {}
        return count, rows

    def _write(self, form: Any) -> nodes.NodeWrite:
        return nodes.NodeWrite(
            attributes=attributes(
                form,
                ("eui64", "alias", "description"),
                NodeAttributesSchema(),
                required=("eui64", "alias"),
            ),
            protocol_id=related_id(form, "protocol"),
            model_id=related_id(form, "model"),
            owner_id=related_id(form, "owner"),
        )

    def service_create(self, session: Session, actor: Actor, form: Any) -> Any:
        """Create the node with a new UUID."""
        return nodes.create_node(session, actor, self._write(form))

    def service_update(
        self, session: Session, actor: Actor, model: Any, form: Any
    ) -> None:
        """Change the node (moving it needs no installation tying it)."""
        nodes.update_node(session, actor, model.id, self._write(form))

    def service_delete(self, session: Session, actor: Actor, model: Any) -> None:
        """Delete the node with its installations and samples."""
        nodes.delete_node(session, actor, model.id)
