"""Read-only views of measured data: samples, fidelity verdicts, platform registrations.

Samples live in a hypertable without a surrogate key; the mapper's primary key
is ``(node_id, time)``, which Flask-Admin encodes into one URL part. The list
never counts the table (a simple pager), sorts only by time, and shows the
samples of one node (optionally in a time range), so every page is a range scan
of the ``(node_id, time DESC)`` index.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any, ClassVar

from flask_admin.contrib.sqla.filters import BaseSQLAFilter, DateTimeBetweenFilter
from flask_admin.contrib.sqla.tools import iterdecode
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from flask import flash, g

from sqlalchemy import or_, select

from app.admin.base import StaffModelView
from app.admin.inventory import FIDELITY_NAMES
from app.extensions import db
from app.models import Node, NodeFidelity, Sample


class ReadOnlyAdmin(StaffModelView):
    """A view that lists and shows, never writes (the jobs and ingest write these)."""

    can_create = False
    can_edit = False
    can_delete = False


class NodeSampleFilter(BaseSQLAFilter):  # type: ignore[misc]
    """Samples of the nodes whose UUID, EUI-64 or alias is the value."""

    def apply(self, query: Any, value: Any, alias: Any = None) -> Any:
        """Keep the samples of the matching nodes.

        The nodes are looked up first: with their ids as values the page is a
        backward scan of the newest chunk's ``(node_id, time DESC)`` index that
        stops after a page; with a subquery PostgreSQL joined, read every
        sample of the node and sorted them (200 ms at 3 years of history).
        """
        text = value.strip()
        matches = [
            Node.eui64 == text.upper().replace(":", "").replace("-", ""),
            Node.alias == text,
        ]
        with suppress(ValueError):
            matches.append(Node.id == uuid.UUID(text))
        ids = db.session.scalars(select(Node.id).where(or_(*matches))).all()
        return query.filter(Sample.node_id.in_(ids))

    def operation(self) -> Any:
        """The filter's operation label."""
        return _l("is")


class UtcBetweenFilter(DateTimeBetweenFilter):  # type: ignore[misc]
    """A time range typed in UTC."""

    def clean(self, value: str) -> list[datetime]:
        """Parse both ends as UTC times."""
        return [moment.replace(tzinfo=UTC) for moment in super().clean(value)]


def node_label(view: Any, context: Any, model: Any, name: str) -> str:
    """Show a sample's node by alias and EUI (loaded once per page, ``get_list``)."""
    label = g.get("admin_page_nodes", {}).get(model.node_id)
    return str(model.node_id) if label is None else str(label)


class SampleAdmin(ReadOnlyAdmin):
    """Samples, newest first, filtered by node and time range."""

    column_list = (
        "time",
        "node_id",
        "co2_ppm",
        "temperature_celsius",
        "rel_humidity_percent",
        "measurement_status",
    )
    column_sortable_list = ("time",)
    column_default_sort = ("time", True)
    column_filters = (
        NodeSampleFilter(Sample.node_id, _l("Node")),
        UtcBetweenFilter(Sample.time, _l("Time (UTC)")),
    )
    column_formatters: ClassVar[dict[str, Any]] = {"node_id": node_label}
    column_labels: ClassVar[dict[str, Any]] = {
        "time": _l("Time"),
        "node_id": _l("Node"),
        "co2_ppm": _l("CO2 (ppm)"),
        "temperature_celsius": _l("Temperature (°C)"),
        "rel_humidity_percent": _l("Relative humidity (%)"),
        "measurement_status": _l("Status"),
    }
    simple_list_pager = True
    can_set_page_size = False

    def get_list(
        self,
        page: Any,
        sort_column: Any,
        sort_desc: Any,
        search: Any,
        filters: Any,
        execute: bool = True,
        page_size: Any = None,
    ) -> Any:
        """List a node's samples; without a node filter, list none.

        Only ``(node_id, time DESC)`` is indexed: a list across all nodes would
        sort whole chunks of the hypertable.
        """
        chosen = [
            f
            for f in filters or ()
            if isinstance(self._filters[f[0]], NodeSampleFilter)
        ]
        if not chosen:
            flash(
                gettext("Filter by a node (UUID, EUI-64 or alias) to see its samples.")
            )
            return None, []
        count, rows = super().get_list(
            page, sort_column, sort_desc, search, filters, execute, page_size
        )
        if execute:
            # One query for the page's nodes (a ``session.get`` per row queried
            # each time: the identity map does not keep the unreferenced nodes).
            ids = {row.node_id for row in rows}
            stmt = select(Node.id, Node.alias, Node.eui64).where(Node.id.in_(ids))
            g.admin_page_nodes = {
                node: f"{alias} ({eui64})"
                for node, alias, eui64 in (db.session.execute(stmt) if ids else ())
            }
        return count, rows

    def get_one(self, id: Any) -> Any:
        """Load one sample by its encoded ``(node_id, time)`` key."""
        try:
            raw_node, raw_time = iterdecode(id)
            key = (uuid.UUID(raw_node), datetime.fromisoformat(raw_time))
        except ValueError:
            return None
        return db.session.get(Sample, key)


class FidelityAdmin(ReadOnlyAdmin):
    """The latest liveness verdict of each node."""

    column_list = ("node", "fidelity", "last_contact", "last_check")
    column_filters = ("fidelity",)
    column_default_sort = ("last_contact", True)
    column_sortable_list = ("fidelity", "last_contact", "last_check")
    column_formatters: ClassVar[dict[str, Any]] = {
        "fidelity": lambda v, c, m, n: str(FIDELITY_NAMES[m.fidelity]),
    }
    column_labels: ClassVar[dict[str, Any]] = {
        "node": _l("Node"),
        "fidelity": _l("Fidelity"),
        "last_contact": _l("Last contact"),
        "last_check": _l("Last check"),
    }
    column_searchable_list = ("node.alias", "node.eui64")

    def get_one(self, id: Any) -> Any:
        """Load one verdict by node UUID."""
        try:
            return db.session.get(NodeFidelity, uuid.UUID(str(id)))
        except ValueError:
            return None


class RegistrationAdmin(ReadOnlyAdmin):
    """Where public installations live on IoT data platforms (Stadtpuls, ...)."""

    column_list = ("publisher", "installation_id", "remote_id", "registered_at")
    column_filters = ("publisher",)
    column_searchable_list = ("remote_id",)
    column_default_sort = ("registered_at", True)
    column_labels: ClassVar[dict[str, Any]] = {
        "publisher": _l("Publisher"),
        "installation_id": _l("Installation"),
        "remote_id": _l("Remote id"),
        "remote_meta": _l("Remote details"),
        "registered_at": _l("Registered"),
    }
    #: May hold a platform's access token (senseBox): never shown.
    secret_columns = (*ReadOnlyAdmin.secret_columns, "remote_meta")
