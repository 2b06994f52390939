"""The device catalogue: quantities, protocols and node models.

Anyone may read it; only staff may change it. Deleting an entry that is still
in use is refused with a message naming its users (the reference cascaded the
deletion of a protocol or model to every node using it, samples included).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import Node, NodeModel, Protocol, Quantity
from app.models.devices import node_model_quantities
from app.services.access import Actor, require_staff
from app.services.tenancy.listing import Listing, Page, fetch_entities
from app.services.unique import Claim, flush_claimed, require_free

Entry = TypeVar("Entry", Quantity, Protocol, NodeModel)
CatalogueModel = type[Quantity] | type[Protocol] | type[NodeModel]

#: The attribute that must be unique, per model.
UNIQUE = {Quantity: "quantity", Protocol: "identifier", NodeModel: "name"}
QUANTITIES_POINTER = "/data/relationships/quantities"
NAMED_USERS = 10


@dataclass(frozen=True)
class CatalogueWrite:
    """A create or update of a catalogue entry.

    Attributes:
        attributes: validated attribute values that were sent.
        quantity_ids: a model's quantities when sent (None: unchanged).
    """

    attributes: Mapping[str, Any] = field(default_factory=dict)
    quantity_ids: Sequence[int] | None = None


def list_entries(session: Session, model: type[Entry], page: Page) -> Listing[Entry]:
    """List the ``page`` of the entries of ``model`` by id (models with quantities)."""
    stmt = select(model).order_by(model.id)
    if model is NodeModel:
        stmt = stmt.options(selectinload(NodeModel.quantities))
    return fetch_entities(session, stmt, page)


def get_entry(
    session: Session, model: type[Entry], ident: int, *, for_update: bool = False
) -> Entry:
    """Return one entry; ``for_update`` locks it until the transaction ends (read
    as committed after the wait, so a concurrent delete is seen).

    Raises:
        NotFoundError: no such entry.
    """
    entry = session.get(
        model, ident, with_for_update=for_update, populate_existing=for_update
    )
    if entry is None:
        raise NotFoundError(f"No {model.__name__.lower()} with id {ident}.")
    return entry


def create_entry(
    session: Session, actor: Actor, model: type[Entry], write: CatalogueWrite
) -> Entry:
    """Create a catalogue entry.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the caller is not staff.
        ConflictError: the unique attribute is taken (409).
        ValidationError: an unknown quantity id (400).
    """
    require_staff(actor)
    entry = model(**write.attributes)
    claims = _check_unique(session, model, write.attributes, None)
    if isinstance(entry, NodeModel):
        entry.quantities = _quantities(session, write.quantity_ids or ())
    session.add(entry)
    flush_claimed(session, *claims)
    return entry


def update_entry(
    session: Session,
    actor: Actor,
    model: type[Entry],
    ident: int,
    write: CatalogueWrite,
) -> Entry:
    """Change a catalogue entry.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the caller is not staff.
        NotFoundError: no such entry.
        ConflictError: the unique attribute is taken (409).
        ValidationError: an unknown quantity id (400).
    """
    require_staff(actor)
    entry = get_entry(session, model, ident, for_update=True)
    claims = _check_unique(session, model, write.attributes, ident)
    for name, value in write.attributes.items():
        setattr(entry, name, value)
    if isinstance(entry, NodeModel) and write.quantity_ids is not None:
        entry.quantities = _quantities(session, write.quantity_ids)
    flush_claimed(session, *claims)
    return entry


def delete_entry(
    session: Session, actor: Actor, model: type[Entry], ident: int
) -> None:
    """Delete a catalogue entry that nothing uses.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the caller is not staff.
        NotFoundError: no such entry.
        ConflictError: models or nodes still use it (409, naming them).
    """
    require_staff(actor)
    entry = get_entry(session, model, ident, for_update=True)
    users = _users(session, entry)
    if users:
        shown = ", ".join(users[:NAMED_USERS])
        more = (
            f" and {len(users) - NAMED_USERS} more" if len(users) > NAMED_USERS else ""
        )
        raise ConflictError(
            f"{model.__name__} {entry} is still used by {len(users)} "
            f"{'model' if model is Quantity else 'node'}(s): {shown}{more}. "
            "Change or delete them first."
        )
    session.delete(entry)
    session.flush()


def _users(session: Session, entry: Quantity | Protocol | NodeModel) -> list[str]:
    if isinstance(entry, Quantity):
        stmt = (
            select(NodeModel.name)
            .join(node_model_quantities)
            .where(node_model_quantities.c.quantity_id == entry.id)
            .order_by(NodeModel.name)
        )
        return list(session.scalars(stmt))
    column = Node.protocol_id if isinstance(entry, Protocol) else Node.model_id
    rows = session.execute(
        select(Node.alias, Node.eui64).where(column == entry.id).order_by(Node.eui64)
    )
    return [f"{alias} ({eui})" for alias, eui in rows]


def _check_unique(
    session: Session,
    model: CatalogueModel,
    attributes: Mapping[str, Any],
    ident: int | None,
) -> tuple[Claim, ...]:
    """Check the entry's unique attribute, when sent; return its claim to flush with."""
    name = UNIQUE[model]
    if name not in attributes:
        return ()
    claim = Claim(
        f"uq_{model.__tablename__}_{name}",
        f"A {model.__name__.lower()} with this {name} already exists.",
        f"/data/attributes/{name}",
    )
    return (
        require_free(
            session, model.id, getattr(model, name) == attributes[name], ident, claim
        ),
    )


def _quantities(session: Session, ids: Sequence[int]) -> list[Quantity]:
    wanted = list(dict.fromkeys(ids))
    found = {
        q.id: q
        for q in session.scalars(select(Quantity).where(Quantity.id.in_(wanted)))
    }
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationError(
            f'Invalid pk "{missing[0]}" - object does not exist.', QUANTITIES_POINTER
        )
    return [found[i] for i in wanted]
