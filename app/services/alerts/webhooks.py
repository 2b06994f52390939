"""The signed webhook of an organization's alert messages: OWNERs set it, members see it.

One per organization (the unique key; a second create is a 409). The secret
that signs the calls (``X-Airq-Signature-256``, as the publishers sign) is
written, never read back: only the receiver and whoever set it know it.
Deleting it stops the calls; what was queued for it is parked unless the
operator-wide ``ALERTS_WEBHOOK_URL`` takes over.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.errors import ConflictError, ValidationError
from app.models import AlertWebhook
from app.services import access
from app.services.access import Actor
from app.services.alerts import destinations
from app.services.alerts.rules import ORGANIZATION_POINTER, require_may_create
from app.services.tenancy.listing import Listing, Page, fetch_entities


def list_webhooks(
    session: Session, actor: Actor, page: Page, organization_id: int | None = None
) -> Listing[AlertWebhook]:
    """List the webhooks of ``actor``'s organizations.

    Raises:
        UnauthenticatedError: anonymous caller.
    """
    access.require_may_query(actor, AlertWebhook)
    stmt = access.scoped(select(AlertWebhook), AlertWebhook, actor)
    if organization_id is not None:
        stmt = stmt.where(AlertWebhook.organization_id == organization_id)
    return fetch_entities(session, stmt.order_by(AlertWebhook.id), page)


def get_webhook(session: Session, actor: Actor, webhook_id: int) -> AlertWebhook:
    """Return a webhook of one of ``actor``'s organizations.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such webhook, or not the actor's.
    """
    access.require_may_query(actor, AlertWebhook)
    return access.get_visible(session, actor, AlertWebhook, webhook_id)


URL_POINTER = "/data/attributes/url"


def create_webhook(
    session: Session,
    actor: Actor,
    organization_id: int,
    values: Mapping[str, Any],
    *,
    allow_private: bool = False,
) -> AlertWebhook:
    """Set the webhook of an organization ``actor`` owns.

    Its address must be public unless ``allow_private``
    (``ALERTS_WEBHOOK_ALLOW_PRIVATE``; see :mod:`.destinations`).

    Raises:
        UnauthenticatedError: anonymous caller.
        ValidationError: no such organization (400), or a non-public address.
        ForbiddenError: not an OWNER of it.
        ConflictError: the organization has a webhook already (409; change it).
    """
    require_may_create(session, actor, organization_id)
    _check_address(values, allow_private)
    hook = AlertWebhook(organization_id=organization_id, **values)
    try:
        with session.begin_nested():
            session.add(hook)
            session.flush()
    except IntegrityError:
        raise ConflictError(
            gettext("This organization has a webhook already; change that one."),
            ORGANIZATION_POINTER,
        ) from None
    return hook


def update_webhook(
    session: Session,
    actor: Actor,
    webhook_id: int,
    values: Mapping[str, Any],
    *,
    organization_id: int | None = None,
    allow_private: bool = False,
) -> AlertWebhook:
    """Change a webhook's address or secret (OWNERs of its organization).

    ``organization_id``, when the request names one, must be the webhook's own:
    a webhook does not move.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such webhook, or not the actor's.
        ForbiddenError: not an OWNER of its organization.
        ValidationError: another organization, or a non-public address (as for
            :func:`create_webhook`).
    """
    hook = require_changeable(session, actor, webhook_id)
    if organization_id is not None and organization_id != hook.organization_id:
        raise ValidationError(
            gettext("A webhook cannot move to another organization."),
            ORGANIZATION_POINTER,
        )
    _check_address(values, allow_private)
    for key, value in values.items():
        setattr(hook, key, value)
    session.flush()
    return hook


def _check_address(values: Mapping[str, Any], allow_private: bool) -> None:
    """Refuse a URL on a non-public address (its name resolved now).

    Raises:
        ValidationError: 400 at the URL.
    """
    if allow_private or "url" not in values:
        return
    try:
        destinations.check_saved(values["url"])
    except destinations.NotPublic as exc:
        raise ValidationError(
            gettext(
                "The webhook must be on the public internet: %(host)s is "
                "%(address)s, a loopback, private, link-local or reserved address.",
                host=exc.host,
                address=str(exc.address),
            ),
            URL_POINTER,
        ) from None


def require_changeable(session: Session, actor: Actor, webhook_id: int) -> AlertWebhook:
    """Load a webhook ``actor`` may change: 401, then 404, then 403.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such webhook, or not the actor's.
        ForbiddenError: not an OWNER of its organization.
    """
    return access.get_owned(session, actor, AlertWebhook, webhook_id)


def delete_webhook(session: Session, actor: Actor, webhook_id: int) -> None:
    """Stop an organization's webhook calls (OWNERs of its organization).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such webhook, or not the actor's.
        ForbiddenError: not an OWNER of its organization.
    """
    session.delete(require_changeable(session, actor, webhook_id))
    session.flush()
