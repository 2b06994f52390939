"""One check that a value is free: no other row already holds it.

Sites and rooms (names within their parent), nodes (EUI-64), catalogue entries,
organizations, memberships and usernames are checked before they are written,
so that the 409 names the attribute. A concurrent writer's row is invisible to
that check until it commits; the unique constraint then fails the write, and
:func:`flush_claimed` answers that failure exactly as the check would have.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.errors import ConflictError, DomainError


@dataclass(frozen=True)
class Claim:
    """A value a write takes, and how to refuse it when it is taken.

    Attributes:
        constraint: the unique (or exclusion) constraint that holds the value,
            e.g. ``uq_sites_operator_id_name``.
        detail: the error's text.
        pointer: the attribute, e.g. ``/data/attributes/name``.
        error: the error class (409 unless a check answers otherwise).
    """

    constraint: str
    detail: str
    pointer: str
    error: type[DomainError] = ConflictError

    def refusal(self) -> DomainError:
        """Return the error that refuses the value."""
        return self.error(self.detail, self.pointer)


def require_free(
    session: Session,
    ident: InstrumentedAttribute[Any],
    condition: ColumnElement[bool],
    own_id: Any,
    claim: Claim,
) -> Claim:
    """Refuse a value that a row other than ``own_id`` already has.

    Args:
        session: the database session.
        ident: the primary-key column of the rows to look in (``Site.id``).
        condition: what a row holding the value matches.
        own_id: the row being changed (None on create): it may keep its value.
        claim: the value's constraint and error.

    Returns:
        ``claim``, for the :func:`flush_claimed` that writes the value.

    Raises:
        ConflictError: another row holds the value (409 at the claim's pointer).
    """
    stmt = select(ident).where(condition)
    if own_id is not None:
        stmt = stmt.where(ident != own_id)
    if session.scalar(stmt) is not None:
        raise claim.refusal()
    return claim


def flush_claimed(session: Session, *claims: Claim) -> None:
    """Flush; a concurrent writer that took a claimed value first is refused like the check.

    Raises:
        DomainError: the flush broke the constraint of one of ``claims`` (its
            error, e.g. a 409 naming the attribute); the transaction must be
            rolled back, as after any failed flush.
        IntegrityError: the flush broke another constraint.
    """
    try:
        session.flush()
    except IntegrityError as exc:
        broken = constraint_of(exc)
        claim = next((c for c in claims if c.constraint == broken), None)
        if claim is None:
            raise
        raise claim.refusal() from None


def constraint_of(error: IntegrityError) -> str | None:
    """Return the name of the constraint (or unique index) ``error`` broke, if known."""
    name = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    return name if isinstance(name, str) else None
