"""Ingest tokens as operators manage them: list, issue (secret shown once), revoke."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFoundError, ValidationError
from app.models import ApiToken, Organization
from app.services.access import Actor, require_staff
from app.services.accounts import tokens

NAME_MAX = 100


@dataclass(frozen=True)
class IngestTokenInfo:
    """An ingest token without its secret (only a prefix identifies it)."""

    id: int
    name: str
    prefix: str
    organization: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def list_ingest_tokens(session: Session, actor: Actor) -> list[IngestTokenInfo]:
    """Return every ingest token, active ones first, newest first.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the actor is not staff.
    """
    require_staff(actor)
    rows = session.execute(
        select(ApiToken, Organization.name)
        .outerjoin(Organization, Organization.id == ApiToken.organization_id)
        .where(ApiToken.kind == "ingest")
        .order_by(ApiToken.revoked_at.desc().nulls_first(), ApiToken.id.desc())
    ).all()
    return [
        IngestTokenInfo(
            t.id, t.name, t.prefix, org, t.created_at, t.last_used_at, t.revoked_at
        )
        for t, org in rows
    ]


def issue(
    session: Session, actor: Actor, name: str, organization_id: int | None
) -> tokens.IssuedToken:
    """Issue an ingest token for one organization's nodes, or for all (None).

    Returns:
        The token and its secret, which is not stored and cannot be shown again.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the actor is not staff.
        ValidationError: a blank or too long name, an unknown organization.
    """
    require_staff(actor)
    name = name.strip()
    if not name:
        raise ValidationError(
            gettext("This field may not be blank."), "/data/attributes/name"
        )
    if len(name) > NAME_MAX:
        raise ValidationError(
            gettext(
                "Ensure this field has no more than %(max)d characters.", max=NAME_MAX
            ),
            "/data/attributes/name",
        )
    if (
        organization_id is not None
        and session.get(Organization, organization_id) is None
    ):
        raise ValidationError(
            gettext('Invalid pk "%(pk)s" - object does not exist.', pk=organization_id),
            "/data/relationships/organization",
        )
    return tokens.issue_ingest_token(session, organization_id, name)


def revoke(session: Session, actor: Actor, token_id: int) -> None:
    """Revoke an ingest token; it stops working at once.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the actor is not staff.
        NotFoundError: no ingest token with this id.
    """
    require_staff(actor)
    token = session.get(ApiToken, token_id)
    if token is None or token.kind != "ingest":
        raise NotFoundError(gettext("No ingest token with id %(id)s.", id=token_id))
    tokens.revoke(session, token_id)
