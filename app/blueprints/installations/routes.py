"""``/api/v1/installations/``: nodes in rooms over time, with their samples."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

from flask import current_app, request
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from sqlalchemy.orm import Session

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.common import body, create_input, now_s, to_one_id
from app.blueprints.filters import DetailQuery, TimeSliceArgsSchema
from app.blueprints.installations.render import installation_resource
from app.blueprints.installations.schemas import (
    INSTALLATION_DOCUMENTS,
    InstallationAttributesSchema,
    InstallationQueryArgsSchema,
    with_default_end,
)
from app.blueprints.nodes.render import node_resource
from app.blueprints.nodes.schemas import NODE_DOCUMENTS
from app.blueprints.rooms.render import room_resource
from app.blueprints.rooms.schemas import ROOM_DOCUMENTS
from app.db import transaction
from app.errors import ValidationError
from app.extensions import db
from app.jsonapi import (
    JsonApiBlueprint,
    JsonObject,
    QueryParams,
    ResourceInput,
    accepts_media_types,
    parse_query_params,
    parse_resource,
)
from app.jsonapi.attributes import load_attributes
from app.jsonapi.spooled import answer_with_list
from app.models import Installation, Node, Room
from app.services import access
from app.services.access import Actor
from app.services.inventory import installations, media, nodes
from app.services.inventory.views import InstallationView
from app.services.series.window import Bounds

blp = JsonApiBlueprint(
    "installations",
    __name__,
    url_prefix="/api/v1/installations",
    description="Installations of nodes in rooms; public ones are readable by anyone.",
)

EXTRA = ("include_timeseries",)
INCLUDES = ("node", "room")
ORDER = ("-from_timestamp_s",)  # newest first, as installations_select sorts
INSTALLATION_INCLUDE = docs.include_parameter(*INCLUDES)
ATTRIBUTES = InstallationAttributesSchema()


def media_store() -> media.MediaStore:
    """Return the configured photo store."""
    return media.MediaStore(
        Path(current_app.config["MEDIA_ROOT"]),
        current_app.config["MEDIA_MAX_IMAGE_BYTES"],
    )


def _included(
    session: Session, actor: Actor, rows: Sequence[Installation], params: QueryParams
) -> list[JsonObject]:
    """Rooms and nodes on request; nodes only for members of their owner."""
    include = params.check_include(INCLUDES)
    included: list[JsonObject] = []
    if "room" in include:
        room_ids = {i.room_id for i in rows}
        included += [
            room_resource(r)
            for r in access.visible_rows(session, actor, Room, room_ids)
        ]
    if "node" in include and actor.is_authenticated:
        node_ids = {i.node_id for i in rows}
        visible = access.visible_rows(session, actor, Node, node_ids)
        included += [node_resource(v) for v in nodes.with_stats(session, visible)]
    return included


def _write(res: ResourceInput, partial: bool) -> installations.InstallationWrite:
    attributes = load_attributes(ATTRIBUTES, res.attributes, partial=partial)
    return installations.InstallationWrite(
        attributes=attributes if partial else with_default_end(attributes),
        room_id=to_one_id(res, "room", "Room", int, partial=partial),
        node_id=to_one_id(res, "node", "Node", UUID, partial=partial),
    )


def _detail(pk: int, params: QueryParams, bounds: Bounds) -> JsonObject:
    """The detail document (without samples: after a write)."""
    query_s = now_s()
    view = installations.installation_detail(db.session(), current_actor(), pk, bounds)
    return _document(view, query_s, params)


def _document(
    view: InstallationView, query_s: int, params: QueryParams, samples: object = None
) -> JsonObject:
    session, actor = db.session(), current_actor()
    included = _included(session, actor, [view.installation], params)
    resource = installation_resource(view, query_s, samples)
    return docs.one(resource, params, included)


@blp.route("/")
class InstallationList(MethodView):
    @blp.arguments(InstallationQueryArgsSchema, location="query")
    @docs.lists(
        blp,
        INSTALLATION_DOCUMENTS,
        INSTALLATION_INCLUDE,
        docs.sort_parameter(*ORDER),
    )
    def get(self, args: dict[str, Any]) -> ResponseReturnValue:
        """List the installations the caller may see (public ones for anyone)."""
        params = parse_query_params(allowed_extra=EXTRA, order=ORDER)
        params.check_include(INCLUDES)
        filters = installations.InstallationFilters(**args)
        session, actor = db.session(), current_actor()
        query_s = now_s()
        listing = installations.list_installations(
            session, actor, filters, docs.page(params)
        )
        rows = [view.installation for view in listing.items]
        return docs.paged(
            listing,
            params,
            lambda view: installation_resource(view, query_s),
            _included(session, actor, rows, params),
        )

    @docs.creates(blp, INSTALLATION_DOCUMENTS)
    def post(self) -> ResponseReturnValue:
        """Install a node in a room (both of an organization you own)."""
        params = parse_query_params(strict=False)
        actor = current_actor()
        with transaction() as session:
            res = create_input(session, actor, "Installation", "room", "Room", Room)
            write = _write(res, partial=False)
            inst = installations.create_installation(session, actor, write)
        return docs.created(_detail(inst.id, params, Bounds()))


@blp.route("/<int:pk>/")
class InstallationItem(MethodView):
    @blp.arguments(TimeSliceArgsSchema, location="query")
    @docs.reads(blp, INSTALLATION_DOCUMENTS, INSTALLATION_INCLUDE)
    def get(self, query: DetailQuery, pk: int) -> ResponseReturnValue:
        """Get an installation; ``filter[from]``/``filter[to]`` slice its samples."""
        params = parse_query_params(allowed_extra=EXTRA)
        params.check_include(INCLUDES)
        query_s = now_s()
        view = installations.installation_detail(
            db.session(), current_actor(), pk, query.bounds, query.with_samples
        )
        return answer_with_list(
            view.samples, lambda samples: _document(view, query_s, params, samples)
        )

    @docs.updates(blp, INSTALLATION_DOCUMENTS)
    def patch(self, pk: int) -> ResponseReturnValue:
        """Change an installation (OWNER): end it, toggle ``is_public``, ..."""
        return self._update(pk, partial=True)

    @docs.updates(blp, INSTALLATION_DOCUMENTS, partial=False)
    def put(self, pk: int) -> ResponseReturnValue:
        """Replace an installation (OWNER)."""
        return self._update(pk, partial=False)

    def delete(self, pk: int) -> ResponseReturnValue:
        """Delete an installation (OWNER); its node's samples stay."""
        with transaction() as session:
            image = installations.delete_installation(session, current_actor(), pk)
        media.remove_image(media_store(), image)
        return docs.no_content()

    def _update(self, pk: int, partial: bool) -> ResponseReturnValue:
        params = parse_query_params(strict=False)
        actor = current_actor()
        with transaction() as session:
            access.get_owned(session, actor, Installation, pk)  # 401/404/403 before 400
            res = parse_resource(body(), "Installation", pk, require_id=True)
            write = _write(res, partial)
            installations.update_installation(session, actor, pk, write)
        return _detail(pk, params, Bounds())


@blp.route("/<int:pk>/room/")
@docs.reads(blp, ROOM_DOCUMENTS)
def installation_room(pk: int) -> ResponseReturnValue:
    """Get the room of an installation."""
    room = installations.installation_room(db.session(), current_actor(), pk)
    return docs.one(room_resource(room))


@blp.route("/<int:pk>/node/")
@docs.reads(blp, NODE_DOCUMENTS)
def installation_node(pk: int) -> ResponseReturnValue:
    """Get the node of an installation (members of its owner only)."""
    session = db.session()
    node = installations.installation_node(session, current_actor(), pk)
    (view,) = nodes.with_stats(session, [node])
    return docs.one(node_resource(view))


@blp.route("/<int:pk>/image/", methods=["PUT"])
@accepts_media_types("multipart/form-data")
@docs.uploads_image(blp, INSTALLATION_DOCUMENTS)
def installation_image(pk: int) -> ResponseReturnValue:
    """Upload the installation's photo (multipart part ``image``; OWNER)."""
    actor, store = current_actor(), media_store()
    installations.check_image_permission(db.session(), actor, pk)
    upload = request.files.get("image")
    if upload is None:
        raise ValidationError(
            "Send the photo as the multipart/form-data part named 'image'.",
            media.IMAGE_POINTER,
        )
    name = media.store_image(store, upload.stream)
    try:
        with transaction() as session:
            _, old = installations.set_image(session, actor, pk, name)
    except BaseException:
        media.remove_image(store, name)
        raise
    media.remove_image(store, old)
    return _detail(pk, QueryParams(), Bounds())
