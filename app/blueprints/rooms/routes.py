"""``/api/v1/rooms/``: rooms of sites, public when they hold a public installation."""

from __future__ import annotations

from typing import Any

from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.common import body, create_input, now_s, to_one_id
from app.blueprints.installations.render import installation_resource
from app.blueprints.installations.schemas import INSTALLATION_DOCUMENTS
from app.blueprints.rooms.render import room_resource
from app.blueprints.rooms.schemas import (
    ROOM_DOCUMENTS,
    RoomAttributesSchema,
    RoomQueryArgsSchema,
)
from app.blueprints.sites.render import site_resource
from app.blueprints.sites.schemas import SITE_DOCUMENTS
from app.db import transaction
from app.extensions import db
from app.jsonapi import (
    JsonApiBlueprint,
    ResourceInput,
    parse_query_params,
    parse_resource,
)
from app.jsonapi.attributes import load_attributes
from app.models import Room, Site
from app.services import access
from app.services.inventory import installations, rooms

blp = JsonApiBlueprint(
    "rooms",
    __name__,
    url_prefix="/api/v1/rooms",
    description="Rooms of sites, where nodes are installed.",
)

ATTRIBUTES = RoomAttributesSchema()


def _write(res: ResourceInput, partial: bool) -> rooms.RoomWrite:
    return rooms.RoomWrite(
        attributes=load_attributes(ATTRIBUTES, res.attributes, partial=partial),
        site_id=to_one_id(res, "site", "Site", int, partial=partial),
    )


ORDER = ("name",)  # rooms_select's order


@blp.route("/")
class RoomList(MethodView):
    @blp.arguments(RoomQueryArgsSchema, location="query")
    @docs.lists(blp, ROOM_DOCUMENTS, docs.sort_parameter(*ORDER))
    def get(self, args: dict[str, Any]) -> ResponseReturnValue:
        """List the rooms the caller may see (public ones for anyone)."""
        params = parse_query_params(order=ORDER)
        params.check_include(())
        filters = rooms.RoomFilters(**args)
        listing = rooms.list_rooms(
            db.session(), current_actor(), filters, docs.page(params)
        )
        return docs.paged(listing, params, room_resource)

    @docs.creates(blp, ROOM_DOCUMENTS)
    def post(self) -> ResponseReturnValue:
        """Create a room in a site of an organization you own."""
        actor = current_actor()
        with transaction() as session:
            res = create_input(session, actor, "Room", "site", "Site", Site)
            room = rooms.create_room(session, actor, _write(res, partial=False))
        return docs.created(docs.one(room_resource(room)))


@blp.route("/<int:pk>/")
class RoomItem(MethodView):
    @docs.reads(blp, ROOM_DOCUMENTS)
    def get(self, pk: int) -> ResponseReturnValue:
        """Get a room."""
        params = parse_query_params()
        params.check_include(())
        room = rooms.get_room(db.session(), current_actor(), pk)
        return docs.one(room_resource(room), params)

    @docs.updates(blp, ROOM_DOCUMENTS)
    def patch(self, pk: int) -> ResponseReturnValue:
        """Change a room (OWNER); moving it needs OWNER rights on both sites' owners."""
        return self._update(pk, partial=True)

    @docs.updates(blp, ROOM_DOCUMENTS, partial=False)
    def put(self, pk: int) -> ResponseReturnValue:
        """Replace a room (OWNER)."""
        return self._update(pk, partial=False)

    def delete(self, pk: int) -> ResponseReturnValue:
        """Delete a room with its installations (OWNER)."""
        with transaction() as session:
            rooms.delete_room(session, current_actor(), pk)
        return docs.no_content()

    def _update(self, pk: int, partial: bool) -> ResponseReturnValue:
        actor = current_actor()
        with transaction() as session:
            access.get_owned(session, actor, Room, pk)  # 401, 404, 403 before 400
            res = parse_resource(body(), "Room", pk, require_id=True)
            room = rooms.update_room(session, actor, pk, _write(res, partial))
        return docs.one(room_resource(room))


@blp.route("/<int:pk>/site/")
@docs.reads(blp, SITE_DOCUMENTS)
def room_site(pk: int) -> ResponseReturnValue:
    """Get the site of a room."""
    site = rooms.room_site(db.session(), current_actor(), pk)
    return docs.one(site_resource(site))


@blp.route("/<int:pk>/installations/")
@docs.lists(blp, INSTALLATION_DOCUMENTS)
def room_installations(pk: int) -> ResponseReturnValue:
    """List the installations of a room the caller may see."""
    params = parse_query_params(strict=False)
    session, actor = db.session(), current_actor()
    room = rooms.get_room(session, actor, pk)
    filters = installations.InstallationFilters(room_id=room.id)
    query_s = now_s()
    listing = installations.list_installations(
        session, actor, filters, docs.page(params)
    )
    return docs.paged(
        listing, params, lambda view: installation_resource(view, query_s)
    )
