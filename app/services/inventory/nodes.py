"""Sensor nodes: members read them, OWNERs of the owning organization change them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.models import (
    Installation,
    Node,
    NodeFidelity,
    NodeModel,
    Organization,
    Protocol,
)
from app.models.types import utcnow
from app.services import access
from app.services.access import Actor
from app.services.inventory.figures import window_figures
from app.services.inventory.search import matches_all
from app.services.inventory.views import NodeView
from app.services.series.extent import SeriesSource
from app.services.series.tallies import node_figures
from app.services.series.window import Bounds
from app.services.tenancy.listing import Listing, Page, fetch_entities
from app.services.unique import Claim, flush_claimed, require_free

EUI64 = re.compile(r"[0-9A-F]{16}")
EUI_POINTER = "/data/attributes/eui64"


@dataclass(frozen=True)
class NodeFilters:
    """List filters: ``filter[organization]`` and the ``filter[search]`` terms."""

    organization_id: int | None = None
    search: tuple[str, ...] = ()


@dataclass(frozen=True)
class NodeWrite:
    """A node create or update; relationship ids are None when not sent."""

    attributes: Mapping[str, Any] = field(default_factory=dict)
    id: uuid.UUID | None = None
    protocol_id: int | None = None
    model_id: int | None = None
    owner_id: int | None = None


def normalise_eui64(raw: str) -> str:
    """Return a DevEUI as 16 upper-case hex digits.

    Raises:
        ValidationError: not 16 hex digits (separators ``-``/``:`` are allowed).
    """
    eui = re.sub(r"[\s:-]", "", raw).upper()
    if not EUI64.fullmatch(eui):
        raise ValidationError(
            gettext(
                "Enter the EUI-64 as 16 hexadecimal digits, e.g. 70B3D57ED0041234."
            ),
            EUI_POINTER,
        )
    return eui


def nodes_select(actor: Actor, filters: NodeFilters) -> Select[Node]:
    """Return the ordered query of the nodes ``actor`` may list.

    Raises:
        UnauthenticatedError: anonymous caller (nodes are never public).
    """
    access.require_authenticated(actor)
    stmt = access.scoped(select(Node), Node, actor).order_by(Node.eui64)
    if filters.organization_id is not None:
        stmt = stmt.where(Node.owner_id == filters.organization_id)
    return stmt.where(matches_all((Node.alias, Node.eui64), filters.search))


def list_nodes(
    session: Session, actor: Actor, filters: NodeFilters, page: Page
) -> Listing[NodeView]:
    """List the ``page`` of the nodes ``actor`` may see, with their sample figures."""
    found = fetch_entities(session, nodes_select(actor, filters), page)
    return Listing(tuple(with_stats(session, found.items)), found.total)


def with_stats(session: Session, nodes: Sequence[Node]) -> list[NodeView]:
    """Attach the sample count, newest sample and fidelity to each node (three queries).

    ``nodes`` come from a query already scoped to the actor.
    """
    stats = node_figures(session, [n.id for n in nodes])
    verdicts = _fidelity_codes(session, [n.id for n in nodes])
    return [
        NodeView(n, s, fidelity=verdicts.get(n.id))
        for n, s in zip(nodes, stats, strict=True)
    ]


def _fidelity_codes(
    session: Session, node_ids: list[uuid.UUID]
) -> dict[uuid.UUID, str]:
    if not node_ids:
        return {}
    rows = session.execute(
        select(NodeFidelity.node_id, NodeFidelity.fidelity).where(
            NodeFidelity.node_id.in_(node_ids)
        )
    )
    return {node_id: code.value for node_id, code in rows}


def get_node(session: Session, actor: Actor, node_id: uuid.UUID) -> Node:
    """Return a node the actor may read.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such node or not a member of its owner.
    """
    access.require_authenticated(actor)
    return access.get_visible(session, actor, Node, node_id)


def node_detail(
    session: Session,
    actor: Actor,
    node_id: uuid.UUID,
    bounds: Bounds,
    with_samples: bool = False,
) -> NodeView:
    """Return a node with the figures (and samples) of the requested bounds.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such node or not a member of its owner.
    """
    node = get_node(session, actor, node_id)
    window = bounds.window(utcnow())
    source = SeriesSource(node.id, node.owner_id)
    figures = window_figures(
        session, source, window, with_samples=with_samples, with_first=True
    )
    fidelity = _fidelity_codes(session, [node.id]).get(node.id)
    return NodeView(node, figures, window, fidelity)


def node_installations(
    session: Session, actor: Actor, node_id: uuid.UUID
) -> list[Installation]:
    """Return every installation of a node, newest first.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such node or not a member of its owner.
    """
    node = get_node(session, actor, node_id)
    stmt = (
        select(Installation)
        .where(Installation.node_id == node.id)
        .order_by(Installation.from_time.desc())
    )
    return list(session.scalars(stmt))


def create_node(session: Session, actor: Actor, write: NodeWrite) -> Node:
    """Create a node with a client-chosen id (or a new one).

    Raises:
        UnauthenticatedError: anonymous caller.
        ValidationError: a malformed EUI, an unknown protocol, model or owner (400).
        ForbiddenError: the caller is not an OWNER of the owner (403).
        ConflictError: the id or the EUI is taken (409).
    """
    access.require_authenticated(actor)
    values = dict(write.attributes)
    values["eui64"] = normalise_eui64(values["eui64"])
    owner = _owner(session, actor, write.owner_id)
    node = Node(
        id=write.id or uuid.uuid4(),
        owner_id=owner.id,
        protocol_id=_catalogue(session, Protocol, write.protocol_id, "protocol"),
        model_id=_catalogue(session, NodeModel, write.model_id, "model"),
        **values,
    )
    ident = Claim(
        "pk_nodes", gettext("A node with this id already exists."), "/data/id"
    )
    if write.id is not None and session.get(Node, write.id) is not None:
        raise ident.refusal()
    eui = _check_eui_free(session, node.eui64, None)
    session.add(node)
    flush_claimed(session, ident, eui)
    return node


def update_node(
    session: Session, actor: Actor, node_id: uuid.UUID, write: NodeWrite
) -> Node:
    """Change a node; moving it to another organization needs OWNER rights on both.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such node or not a member of its owner.
        ForbiddenError: not an OWNER of the current or the new owner.
        ValidationError: a malformed EUI, unknown related ids (400).
        ConflictError: the EUI is taken (409).
    """
    node = access.get_owned(session, actor, Node, node_id)
    values = dict(write.attributes)
    claims = []
    if "eui64" in values:
        values["eui64"] = normalise_eui64(values["eui64"])
        claims.append(_check_eui_free(session, values["eui64"], node.id))
    if write.owner_id is not None and write.owner_id != node.owner_id:
        new_owner = _owner(session, actor, write.owner_id)
        access.refuse_move_with_installations(
            session, Installation.node_id == node.id, "/data/relationships/owner"
        )
        node.owner_id = new_owner.id
    if write.protocol_id is not None:
        node.protocol_id = _catalogue(session, Protocol, write.protocol_id, "protocol")
    if write.model_id is not None:
        node.model_id = _catalogue(session, NodeModel, write.model_id, "model")
    for name, value in values.items():
        setattr(node, name, value)
    flush_claimed(session, *claims)
    return node


def delete_node(session: Session, actor: Actor, node_id: uuid.UUID) -> None:
    """Delete a node with its installations and samples.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such node or not a member of its owner.
        ForbiddenError: not an OWNER of its owner.
    """
    node = access.get_owned(session, actor, Node, node_id)
    session.delete(node)
    session.flush()


def _owner(session: Session, actor: Actor, owner_id: int | None) -> Organization:
    return access.get_owned_reference(
        session, actor, Organization, owner_id, "/data/relationships/owner"
    )


def _catalogue(
    session: Session,
    model: type[Protocol] | type[NodeModel],
    ident: int | None,
    name: str,
) -> int:
    pointer = f"/data/relationships/{name}"
    if ident is None:
        raise ValidationError(gettext("This field is required."), pointer)
    if session.get(model, ident) is None:
        raise ValidationError(
            gettext('Invalid pk "%(pk)s" - object does not exist.', pk=ident), pointer
        )
    return ident


def _check_eui_free(session: Session, eui: str, own_id: uuid.UUID | None) -> Claim:
    return require_free(
        session,
        Node.id,
        Node.eui64 == eui,
        own_id,
        Claim(
            "uq_nodes_eui64",
            gettext("A node with this eui64 already exists."),
            EUI_POINTER,
        ),
    )
