"""``/api/v1/addresses/``: postal addresses, visible through one's sites."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.common import body
from app.blueprints.sites.render import address_resource
from app.blueprints.sites.schemas import ADDRESS_DOCUMENTS, AddressAttributesSchema
from app.db import transaction
from app.extensions import db
from app.jsonapi import (
    JsonApiBlueprint,
    parse_query_params,
    parse_resource,
)
from app.jsonapi.attributes import load_attributes
from app.services import access
from app.services.inventory import addresses

blp = JsonApiBlueprint(
    "addresses",
    __name__,
    url_prefix="/api/v1/addresses",
    description="Postal addresses of sites: those of your organizations, and those "
    "of the public sites (read only).",
)

ATTRIBUTES = AddressAttributesSchema()
ORDER = ("city", "street1")  # addresses_select's order


@blp.route("/")
class AddressList(MethodView):
    @docs.lists(blp, ADDRESS_DOCUMENTS, docs.sort_parameter(*ORDER))
    def get(self) -> ResponseReturnValue:
        """List the addresses of the caller's sites (and their own unused ones)."""
        params = parse_query_params(order=ORDER)
        params.check_include(())
        listing = addresses.list_addresses(
            db.session(), current_actor(), docs.page(params)
        )
        return docs.paged(listing, params, address_resource)

    @docs.creates(blp, ADDRESS_DOCUMENTS)
    def post(self) -> ResponseReturnValue:
        """Create an address (then use it for a site)."""
        actor = current_actor()
        access.require_authenticated(actor)  # 401 before 400
        res = parse_resource(body(), "Address")
        attributes = load_attributes(ATTRIBUTES, res.attributes, partial=False)
        with transaction() as session:
            address = addresses.create_address(session, actor, attributes)
        return docs.created(docs.one(address_resource(address)))


@blp.route("/<int:pk>/")
class AddressItem(MethodView):
    @docs.reads(blp, ADDRESS_DOCUMENTS)
    def get(self, pk: int) -> ResponseReturnValue:
        """Get an address."""
        params = parse_query_params()
        params.check_include(())
        address = addresses.get_address(db.session(), current_actor(), pk)
        return docs.one(address_resource(address), params)

    @docs.updates(blp, ADDRESS_DOCUMENTS)
    def patch(self, pk: int) -> ResponseReturnValue:
        """Change an address (OWNER of every organization whose sites use it)."""
        return self._update(pk, partial=True)

    @docs.updates(blp, ADDRESS_DOCUMENTS, partial=False)
    def put(self, pk: int) -> ResponseReturnValue:
        """Replace an address."""
        return self._update(pk, partial=False)

    def delete(self, pk: int) -> ResponseReturnValue:
        """Delete an address no site uses."""
        with transaction() as session:
            addresses.delete_address(session, current_actor(), pk)
        return docs.no_content()

    def _update(self, pk: int, partial: bool) -> ResponseReturnValue:
        actor = current_actor()
        with transaction() as session:
            addresses.editable_address(session, actor, pk)  # 401/404/403 before 400
            res = parse_resource(body(), "Address", pk, require_id=True)
            attributes = load_attributes(ATTRIBUTES, res.attributes, partial=partial)
            address = addresses.update_address(session, actor, pk, attributes)
        return docs.one(address_resource(address))
