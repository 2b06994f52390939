"""Managair's time-series resources (§5.13-5.14) with its defects fixed.

``/node-timeseries/`` (+ detail, also ``/nodes/<id>/timeseries/``) and
``/installation-timeseries/`` (+ detail, also ``/installations/<id>/timeseries/``).
Lists are not paginated, as in the reference.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask.typing import ResponseReturnValue
from flask.views import MethodView

from sqlalchemy.orm import Session

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.series.render import json_response
from app.blueprints.timeseries import render
from app.blueprints.timeseries.schemas import (
    INSTALLATION_TIMESERIES_DOCUMENTS,
    NODE_TIMESERIES_DOCUMENTS,
    BoundsArgsSchema,
)
from app.extensions import db
from app.jsonapi import JsonApiBlueprint, JsonObject
from app.jsonapi.spooled import answer_with_list
from app.services.access import Actor
from app.services.series import timeseries
from app.services.series.timeseries import NodeTimeseries
from app.services.series.window import Bounds

Key = TypeVar("Key")  # the resource's id: a node's UUID, an installation's int
Item = TypeVar("Item")

blp = JsonApiBlueprint(
    "timeseries",
    __name__,
    url_prefix="/api/v1",
    description="Managair's node and installation time series (every sample).",
)


def _detail(
    read: Callable[[Session, Actor, Key, Bounds, datetime], Item],
    series: Callable[[Item], NodeTimeseries],
    draw: Callable[[Item, datetime, object], JsonObject],
    pk: Key,
    args: dict[str, Any],
) -> ResponseReturnValue:
    """One resource of either kind: ``read`` it within the filters, write its samples
    (the ``series`` of the item) to a spooled list, ``draw`` it around them."""
    now = datetime.now(UTC)
    bounds = Bounds(from_s=args.get("from_s"), to_s=args.get("to_s"))
    item = read(db.session(), current_actor(), pk, bounds, now)
    return answer_with_list(
        series(item).samples or (), lambda samples: docs.one(draw(item, now, samples))
    )


@blp.route("/node-timeseries/")
class NodeTimeseriesList(MethodView):
    """The time series of the caller's nodes."""

    @docs.lists(blp, NODE_TIMESERIES_DOCUMENTS, paged=False)
    def get(self) -> ResponseReturnValue:
        """List the time series of the caller's nodes"""
        now = datetime.now(UTC)
        items = timeseries.list_node_timeseries(db.session(), current_actor(), now)
        return json_response(
            docs.unpaged(
                items, docs.NO_QUERY, lambda item: render.node_timeseries(item, now)
            )
        )


class _NodeTimeseriesDetail(MethodView):
    @blp.arguments(BoundsArgsSchema, location="query")
    @docs.reads(blp, NODE_TIMESERIES_DOCUMENTS)
    def get(self, args: dict[str, Any], pk: uuid.UUID) -> ResponseReturnValue:
        """Get a node's samples between filter[from] and filter[to]"""
        return _detail(
            timeseries.get_node_timeseries,
            lambda item: item,
            render.node_timeseries,
            pk,
            args,
        )


@blp.route("/node-timeseries/<uuid:pk>/")
class NodeTimeseriesItem(_NodeTimeseriesDetail):
    """One node's time series."""


@blp.route("/nodes/<uuid:pk>/timeseries/")
class NodeTimeseriesOfNode(_NodeTimeseriesDetail):
    """One node's time series, under the node."""


@blp.route("/installation-timeseries/")
class InstallationTimeseriesList(MethodView):
    """The time series of every installation the caller may see."""

    @docs.lists(blp, INSTALLATION_TIMESERIES_DOCUMENTS, paged=False)
    def get(self) -> ResponseReturnValue:
        """List the time series of the visible installations"""
        now = datetime.now(UTC)
        items = timeseries.list_installation_timeseries(db.session(), current_actor())
        return json_response(
            docs.unpaged(
                items,
                docs.NO_QUERY,
                lambda item: render.installation_timeseries(item, now),
            )
        )


class _InstallationTimeseriesDetail(MethodView):
    @blp.arguments(BoundsArgsSchema, location="query")
    @docs.reads(blp, INSTALLATION_TIMESERIES_DOCUMENTS)
    def get(self, args: dict[str, Any], pk: int) -> ResponseReturnValue:
        """Get an installation's samples within its interval and the filters"""
        return _detail(
            timeseries.get_installation_timeseries,
            lambda item: item.series,
            render.installation_timeseries,
            pk,
            args,
        )


@blp.route("/installation-timeseries/<int:pk>/")
class InstallationTimeseriesItem(_InstallationTimeseriesDetail):
    """One installation's time series."""


@blp.route("/installations/<int:pk>/timeseries/")
class InstallationTimeseriesOfInstallation(_InstallationTimeseriesDetail):
    """One installation's time series, under the installation."""
