"""Sites: buildings or places an organization operates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.models import Address, Installation, Organization, Room, Site
from app.services import access
from app.services.access import Actor
from app.services.inventory.search import matches_all
from app.services.tenancy.listing import Listing, Page, fetch_entities
from app.services.unique import Claim, flush_claimed, require_free

OPERATOR_POINTER = "/data/relationships/operator"
ADDRESS_POINTER = "/data/relationships/address"


@dataclass(frozen=True)
class SiteFilters:
    """List filters: ``filter[organization]`` and ``filter[search]`` terms."""

    organization_id: int | None = None
    search: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteWrite:
    """A site create or update; relationship ids are None when not sent."""

    attributes: Mapping[str, Any] = field(default_factory=dict)
    address_id: int | None = None
    operator_id: int | None = None


def list_sites(
    session: Session, actor: Actor, filters: SiteFilters, page: Page
) -> Listing[Site]:
    """List the ``page`` of the sites ``actor`` may see."""
    return fetch_entities(session, sites_select(actor, filters), page)


def sites_select(actor: Actor, filters: SiteFilters) -> Select[Site]:
    """Return the ordered query of the sites ``actor`` may list (public ones too)."""
    stmt = access.scoped(select(Site), Site, actor).order_by(Site.name, Site.id)
    if filters.organization_id is not None:
        stmt = stmt.where(Site.operator_id == filters.organization_id)
    return stmt.where(matches_all((Site.name, Site.description), filters.search))


def get_site(session: Session, actor: Actor, site_id: int) -> Site:
    """Return a site the actor may read.

    Raises:
        NotFoundError: no such site or invisible.
    """
    return access.get_visible(session, actor, Site, site_id)


def visible_addresses(
    session: Session, actor: Actor, address_ids: set[int]
) -> list[Address]:
    """Return those of ``address_ids`` the actor may read (one query), by id."""
    return access.visible_rows(session, actor, Address, address_ids)


def site_address(session: Session, actor: Actor, site_id: int) -> Address:
    """Return the address of a site; whoever may see the site may see it.

    Raises:
        NotFoundError: no such site, or the site is invisible.
    """
    site = get_site(session, actor, site_id)
    return access.get_visible(session, actor, Address, site.address_id)


def site_operator(session: Session, actor: Actor, site_id: int) -> Organization:
    """Return the operator of a visible site.

    Raises:
        NotFoundError: no such site or invisible.
    """
    site = get_site(session, actor, site_id)
    return access.get_visible(session, actor, Organization, site.operator_id)


def create_site(session: Session, actor: Actor, write: SiteWrite) -> Site:
    """Create a site of an organization the caller owns.

    Raises:
        UnauthenticatedError: anonymous caller.
        ValidationError: unknown or invisible operator or address (400).
        ForbiddenError: not an OWNER of the operator (403).
        ConflictError: the organization has a site of that name (409).
    """
    access.require_authenticated(actor)
    operator = _operator(session, actor, write.operator_id)
    address = _address(session, actor, write.address_id)
    name = _check_name_free(session, operator.id, write.attributes["name"], None)
    site = Site(operator_id=operator.id, address_id=address.id, **write.attributes)
    session.add(site)
    flush_claimed(session, name)
    return site


def update_site(session: Session, actor: Actor, site_id: int, write: SiteWrite) -> Site:
    """Change a site; moving it to another organization needs OWNER rights on both.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such site or invisible.
        ForbiddenError: not an OWNER of the current or the new operator.
        ValidationError: unknown or invisible related ids (400).
        ConflictError: the name is taken in the (new) organization (409).
    """
    site = access.get_owned(session, actor, Site, site_id)
    operator_id = site.operator_id
    if write.operator_id is not None and write.operator_id != operator_id:
        operator_id = _operator(session, actor, write.operator_id).id
        access.refuse_move_with_installations(
            session,
            Installation.room_id.in_(select(Room.id).where(Room.site_id == site.id)),
            OPERATOR_POINTER,
        )
    if write.address_id is not None and write.address_id != site.address_id:
        site.address_id = _address(session, actor, write.address_id).id
    name = _check_name_free(
        session, operator_id, write.attributes.get("name", site.name), site.id
    )
    site.operator_id = operator_id
    for key, value in write.attributes.items():
        setattr(site, key, value)
    flush_claimed(session, name)
    return site


def delete_site(session: Session, actor: Actor, site_id: int) -> None:
    """Delete a site with its rooms and installations (the address stays).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such site or invisible.
        ForbiddenError: not an OWNER of the operator.
    """
    site = access.get_owned(session, actor, Site, site_id)
    session.delete(site)
    session.flush()


def _operator(session: Session, actor: Actor, operator_id: int | None) -> Organization:
    return access.get_owned_reference(
        session, actor, Organization, operator_id, OPERATOR_POINTER
    )


def _address(session: Session, actor: Actor, address_id: int | None) -> Address:
    if address_id is None:
        raise ValidationError(gettext("This field is required."), ADDRESS_POINTER)
    return access.get_usable_address(session, actor, address_id, ADDRESS_POINTER)


def _check_name_free(
    session: Session, operator_id: int, name: str, own_id: int | None
) -> Claim:
    return require_free(
        session,
        Site.id,
        (Site.operator_id == operator_id) & (Site.name == name),
        own_id,
        Claim(
            "uq_sites_operator_id_name",
            gettext('The organization already has a site named "%(name)s".', name=name),
            "/data/attributes/name",
        ),
    )
