"""A small two-tenant world for authorization tests, built with the factories.

Organization A (an OWNER and an INSPECTOR) has a private chain
(site ``site`` → room ``room`` → installation ``inst`` of node ``node``) and a
public one (``psite`` → ``proom`` → public ``pinst`` of ``pnode``). The
outsider owns organization B; staff belongs to no organization.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import Role
from app.services.accounts.tokens import issue_user_key
from tests.factories import (
    make_address,
    make_installation,
    make_membership,
    make_model,
    make_node,
    make_organization,
    make_protocol,
    make_quantity,
    make_room,
    make_samples,
    make_site,
    make_user,
)

ACTORS = ("anonymous", "outsider", "staff", "inspector", "owner")


@dataclass(frozen=True)
class World:
    """Ids of the world's objects and the request headers of each actor."""

    headers: dict[str, dict[str, str]]
    org: int
    other_org: int
    quantity: int
    protocol: int
    model: int
    node: str
    pnode: str
    spare_node: str
    address: int
    paddress: int
    site: int
    psite: int
    room: int
    proom: int
    inst: int
    pinst: int
    other_node: str
    other_address: int
    other_site: int
    other_room: int
    quantity_name: str
    psite_name: str
    proom_name: str
    owner: int


def build_world(session: Session) -> World:
    """Create the world and a token for every actor."""
    users = {
        "owner": make_user(session),
        "inspector": make_user(session),
        "outsider": make_user(session),
        "staff": make_user(session, is_staff=True),
    }
    org = make_organization(session)
    other = make_organization(session)
    make_membership(session, users["owner"], org, Role.OWNER)
    make_membership(session, users["inspector"], org, Role.INSPECTOR)
    make_membership(session, users["outsider"], other, Role.OWNER)
    quantity = make_quantity(session)
    protocol = make_protocol(session)
    model = make_model(session)
    catalogue = {"protocol_id": protocol.id, "model_id": model.id}
    node = make_node(session, owner=org, **catalogue)
    pnode = make_node(session, owner=org, **catalogue)
    spare = make_node(session, owner=org, **catalogue)
    make_samples(session, node, count=3)
    address, paddress = make_address(session), make_address(session)
    site = make_site(session, operator=org, address_id=address.id)
    psite = make_site(session, operator=org, address_id=paddress.id)
    room, proom = make_room(session, site=site), make_room(session, site=psite)
    inst = make_installation(session, node=node, room=room)
    pinst = make_installation(session, node=pnode, room=proom, is_public=True)
    other_node = make_node(session, owner=other, **catalogue)
    other_site = make_site(session, operator=other)
    other_room = make_room(session, site=other_site)
    headers = {
        name: {
            "Content-Type": "application/vnd.api+json",
            "Authorization": f"Token {issue_user_key(session, user).key}",
        }
        for name, user in users.items()
    }
    headers["anonymous"] = {"Content-Type": "application/vnd.api+json"}
    return World(
        headers=headers,
        org=org.id,
        other_org=other.id,
        quantity=quantity.id,
        protocol=protocol.id,
        model=model.id,
        node=str(node.id),
        pnode=str(pnode.id),
        spare_node=str(spare.id),
        address=address.id,
        paddress=paddress.id,
        site=site.id,
        psite=psite.id,
        room=room.id,
        proom=proom.id,
        inst=inst.id,
        pinst=pinst.id,
        other_node=str(other_node.id),
        other_address=other_site.address_id,
        other_site=other_site.id,
        other_room=other_room.id,
        quantity_name=quantity.quantity,
        psite_name=psite.name,
        proom_name=proom.name,
        owner=users["owner"].id,
    )
