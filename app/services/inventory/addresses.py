"""Postal addresses: shared by sites, visible through the sites of one's organizations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.errors import ConflictError
from app.models import Address, Site
from app.services import access
from app.services.access import Actor
from app.services.tenancy.listing import Listing, Page, fetch_entities

NAMED_SITES = 10


def list_addresses(session: Session, actor: Actor, page: Page) -> Listing[Address]:
    """List the ``page`` of the addresses ``actor`` may see."""
    return fetch_entities(session, addresses_select(actor), page)


def addresses_select(actor: Actor) -> Select[Address]:
    """Return the ordered query of the addresses ``actor`` may list.

    Raises:
        UnauthenticatedError: anonymous caller (addresses are members-only).
    """
    access.require_authenticated(actor)
    stmt = access.scoped(select(Address), Address, actor)
    return stmt.order_by(Address.city, Address.street1, Address.id)


def get_address(session: Session, actor: Actor, address_id: int) -> Address:
    """Return an address the actor may read.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such address or invisible.
    """
    access.require_authenticated(actor)
    return access.get_visible(session, actor, Address, address_id)


def create_address(
    session: Session, actor: Actor, attributes: Mapping[str, Any]
) -> Address:
    """Create an address; until a site uses it only its creator sees it.

    Raises:
        UnauthenticatedError: anonymous caller.
    """
    access.require_authenticated(actor)
    address = Address(created_by_id=actor.user_id, **attributes)
    session.add(address)
    session.flush()
    return address


def editable_address(session: Session, actor: Actor, address_id: int) -> Address:
    """Return an address the actor may change or delete (checked before the body).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such address or invisible.
        ForbiddenError: not an OWNER of every operator of its sites.
    """
    address = get_address(session, actor, address_id)
    access.require_address_editor(session, actor, address)
    return address


def update_address(
    session: Session, actor: Actor, address_id: int, attributes: Mapping[str, Any]
) -> Address:
    """Change an address (it changes for every site using it).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such address or invisible.
        ForbiddenError: not an OWNER of every operator of its sites.
    """
    address = editable_address(session, actor, address_id)
    for name, value in attributes.items():
        setattr(address, name, value)
    session.flush()
    return address


def delete_address(session: Session, actor: Actor, address_id: int) -> None:
    """Delete an address no site uses.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such address or invisible.
        ForbiddenError: not an OWNER of every operator of its sites.
        ConflictError: sites still use it (409, naming them).
    """
    address = editable_address(session, actor, address_id)
    names = list(
        session.scalars(
            select(Site.name).where(Site.address_id == address.id).order_by(Site.name)
        )
    )
    if names:
        shown = ", ".join(names[:NAMED_SITES])
        raise ConflictError(
            f"The address is still used by {len(names)} site(s): {shown}. "
            "Give them another address or delete them first."
        )
    session.delete(address)
    session.flush()
