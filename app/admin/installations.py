"""Installations: a node in a room, with the API's rules and a 7-day chart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_babel import lazy_gettext as _l

from flask import after_this_request

from sqlalchemy import or_
from sqlalchemy.orm import Session

from app.admin.base import ServiceModelView
from app.admin.forms import epoch_of, related_id, utc_naive
from app.blueprints.installations.routes import media_store
from app.blueprints.installations.schemas import InstallationAttributesSchema
from app.jsonapi.attributes import load_attributes
from app.models import Installation
from app.services.access import Actor
from app.services.inventory import installations, media

DESCRIPTION = _l("Description")


class ActiveFilter(BaseSQLAFilter):  # type: ignore[misc]
    """Installations running now (yes) or not (no)."""

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        """Keep the installations whose period does (not) contain now."""
        now = datetime.now(UTC)
        active = (Installation.from_time <= now) & or_(
            Installation.to_time.is_(None), Installation.to_time >= now
        )
        return query.filter(active if value == "1" else ~active)

    def operation(self) -> Any:
        """The filter's operation label."""
        return _l("equals")


class InstallationAdmin(ServiceModelView):
    """Nodes in rooms; the same rules as the API (owner, order, no overlap)."""

    details_template = "admin/installation_details.html"
    column_details_exclude_list = ("period",)  # derived from from_time/to_time
    column_list = ("node", "room", "is_public", "from_time", "to_time", "image")
    column_filters = (
        "room.name",
        "is_public",
        ActiveFilter(
            Installation.id,
            _l("Active now"),
            options=[("1", _l("Yes")), ("0", _l("No"))],
        ),
    )
    column_searchable_list = ("node.alias", "node.eui64", "room.name")
    column_sortable_list = ("from_time", "to_time", "is_public", ("room", "room.name"))
    column_default_sort = ("from_time", True)
    column_labels: ClassVar[dict[str, Any]] = {
        "node": _l("Node"),
        "node.alias": _l("Node"),
        "node.eui64": "EUI-64",
        "room": _l("Room"),
        "room.name": _l("Room"),
        "is_public": _l("Public"),
        "from_time": _l("From (UTC)"),
        "to_time": _l("To (UTC)"),
        "image": _l("Photo"),
        "description": DESCRIPTION,
    }
    column_descriptions: ClassVar[dict[str, Any]] = {
        "to_time": _l("Empty: still installed."),
    }
    form_columns = ("node", "room", "from_time", "to_time", "description", "is_public")
    form_args: ClassVar[dict[str, Any]] = {
        "from_time": {"label": _l("From (UTC)")},
        "to_time": {
            "label": _l("To (UTC)"),
            "description": _l("Leave empty while the node is installed."),
        },
    }
    form_ajax_refs: ClassVar[dict[str, Any]] = {
        "node": {"fields": ("alias", "eui64")},
        "room": {"fields": ("name",)},
    }
    pointer_fields: ClassVar[dict[str, str]] = {
        "from_timestamp_s": "from_time",
        "to_timestamp_s": "to_time",
    }

    def on_form_prefill(self, form: Any, id: Any) -> None:
        """Show the stored times in UTC, as the labels say."""
        form.from_time.data = utc_naive(form.from_time.data)
        form.to_time.data = utc_naive(form.to_time.data)

    def _write(self, form: Any) -> installations.InstallationWrite:
        sent = {
            "from_timestamp_s": epoch_of(form.from_time.data),
            "to_timestamp_s": epoch_of(form.to_time.data, open_end=True),
            "description": form.description.data or None,
            "is_public": bool(form.is_public.data),
        }
        return installations.InstallationWrite(
            attributes=load_attributes(
                InstallationAttributesSchema(), sent, partial=False
            ),
            room_id=related_id(form, "room"),
            node_id=related_id(form, "node"),
        )

    def service_create(self, session: Session, actor: Actor, form: Any) -> Any:
        """Install the node in the room."""
        return installations.create_installation(session, actor, self._write(form))

    def service_update(
        self, session: Session, actor: Actor, model: Any, form: Any
    ) -> None:
        """Change the installation (end it, make it public, ...)."""
        installations.update_installation(session, actor, model.id, self._write(form))

    def service_delete(self, session: Session, actor: Actor, model: Any) -> None:
        """Delete the installation (its samples stay with the node) and its photo."""
        image = installations.delete_installation(session, actor, model.id)
        if image:
            after_this_request(_remove_image(image))


def _remove_image(name: str) -> Any:
    def remove(response: Any) -> Any:
        media.remove_image(media_store(), name)
        return response

    return remove
