"""Alert rules of organizations: members read them, OWNERs write them.

A rule may be narrowed to one site or one room of its organization; both given,
the room must lie in the site. Defaults follow the issue that asked for alerts:
CO2 at or above 1500 ppm for 10 minutes, cleared 100 ppm lower after 5 minutes;
silence for 2 hours. Active hours are read in the rule's ``time_zone``, which
defaults to ``ANALYSIS_TIMEZONE`` (organizations have no zone of their own).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.models import AlertKind, AlertRule, Organization, Room, Site
from app.services import access
from app.services.access import Actor
from app.services.alerts import state
from app.services.tenancy.listing import Listing, Page, fetch_entities
from app.services.tenancy.unset import UNSET, Unset

ORGANIZATION_POINTER = "/data/relationships/organization"
SITE_POINTER = "/data/relationships/site"
ROOM_POINTER = "/data/relationships/room"

#: Values a new rule takes for what its request leaves out, per kind.
DEFAULTS: dict[AlertKind, dict[str, Any]] = {
    AlertKind.CO2: {
        "threshold_ppm": 1500,
        "hysteresis_ppm": 100,
        "duration_s": 600,
        "clear_duration_s": 300,
    },
    AlertKind.SILENT: {"duration_s": 7200},
}


@dataclass(frozen=True)
class RuleFilters:
    """``filter[organization]``, ``filter[site]``, ``filter[room]``."""

    organization_id: int | None = None
    site_id: int | None = None
    room_id: int | None = None


@dataclass(frozen=True)
class RuleWrite:
    """A rule create or update; :data:`UNSET` relationships stay as they are."""

    attributes: Mapping[str, Any] = field(default_factory=dict)
    organization_id: int | Unset = UNSET
    site_id: int | Unset | None = UNSET
    room_id: int | Unset | None = UNSET


def list_rules(
    session: Session, actor: Actor, filters: RuleFilters, page: Page
) -> Listing[AlertRule]:
    """List the rules of ``actor``'s organizations, by organization and name.

    Raises:
        UnauthenticatedError: anonymous caller.
    """
    access.require_may_query(actor, AlertRule)
    return fetch_entities(session, _select(actor, filters), page)


def _select(actor: Actor, filters: RuleFilters) -> Select[AlertRule]:
    stmt = access.scoped(select(AlertRule), AlertRule, actor)
    if filters.organization_id is not None:
        stmt = stmt.where(AlertRule.organization_id == filters.organization_id)
    if filters.site_id is not None:
        stmt = stmt.where(AlertRule.site_id == filters.site_id)
    if filters.room_id is not None:
        stmt = stmt.where(AlertRule.room_id == filters.room_id)
    return stmt.order_by(AlertRule.organization_id, AlertRule.name, AlertRule.id)


def get_rule(session: Session, actor: Actor, rule_id: int) -> AlertRule:
    """Return a rule of one of ``actor``'s organizations.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such rule, or not the actor's.
    """
    access.require_may_query(actor, AlertRule)
    return access.get_visible(session, actor, AlertRule, rule_id)


def require_may_create(session: Session, actor: Actor, organization_id: int) -> None:
    """Authorize a create by the organization its body names (before the rest).

    Raises:
        UnauthenticatedError: anonymous caller.
        ValidationError: no such organization, or invisible (400).
        ForbiddenError: not an OWNER of it (403).
    """
    access.get_owned_reference(
        session, actor, Organization, organization_id, ORGANIZATION_POINTER
    )


def create_rule(
    session: Session, actor: Actor, write: RuleWrite, default_zone: str
) -> AlertRule:
    """Create a rule for an organization ``actor`` owns.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: not an OWNER of the organization.
        ValidationError: a site or room outside the organization, or values
            that contradict each other (400 at the offending member).
    """
    org_id = write.organization_id
    if isinstance(org_id, Unset):
        raise ValidationError(gettext("This field is required."), ORGANIZATION_POINTER)
    require_may_create(session, actor, org_id)
    attributes = _typed(write.attributes)
    values = {"time_zone": default_zone, **DEFAULTS[attributes["kind"]], **attributes}
    rule = AlertRule(organization_id=org_id, **values)
    _place(session, actor, rule, write)
    _check(rule)
    session.add(rule)
    session.flush()
    return rule


def update_rule(
    session: Session, actor: Actor, rule_id: int, write: RuleWrite
) -> AlertRule:
    """Change a rule (OWNERs of its organization); it cannot change organization.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such rule, or not the actor's.
        ForbiddenError: not an OWNER of its organization.
        ValidationError: as for :func:`create_rule`, or another organization.
    """
    rule = require_changeable(session, actor, rule_id)
    org_id = write.organization_id
    if not isinstance(org_id, Unset) and org_id != rule.organization_id:
        raise ValidationError(
            gettext("A rule cannot move to another organization."),
            ORGANIZATION_POINTER,
        )
    # Nothing is flushed before it is checked (a lookup would flush values that
    # break a constraint), and rule_changed reads the changes before the flush.
    with session.no_autoflush:
        attributes = _typed(write.attributes)
        for key, value in attributes.items():
            setattr(rule, key, value)
        if "kind" in attributes:
            for key, value in DEFAULTS[rule.kind].items():
                if getattr(rule, key) is None:
                    setattr(rule, key, value)
        _place(session, actor, rule, write)
        _check(rule)
        state.rule_changed(session, rule)
    session.flush()
    return rule


def _typed(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes as the model holds them: ``kind`` as an :class:`AlertKind`.

    A plain string stored in ``kind`` reads back as a string until the object
    is reloaded, and the sessions keep their objects on commit.
    """
    values = dict(attributes)
    if "kind" in values:
        values["kind"] = AlertKind(values["kind"])
    return values


def require_changeable(session: Session, actor: Actor, rule_id: int) -> AlertRule:
    """Load a rule ``actor`` may change: 401, then 404, then 403.

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such rule, or not the actor's.
        ForbiddenError: not an OWNER of its organization.
    """
    return access.get_owned(session, actor, AlertRule, rule_id)


def delete_rule(session: Session, actor: Actor, rule_id: int) -> None:
    """Delete a rule with its alerts (OWNERs of its organization).

    Raises:
        UnauthenticatedError: anonymous caller.
        NotFoundError: no such rule, or not the actor's.
        ForbiddenError: not an OWNER of its organization.
    """
    session.delete(require_changeable(session, actor, rule_id))
    session.flush()


def _place(session: Session, actor: Actor, rule: AlertRule, write: RuleWrite) -> None:
    """Set the site and room a write names; both must be the rule's organization's.

    Each is looked up before it is assigned: a lookup flushes the rule, and an
    unchecked id would fail the foreign key first, telling ids that do not
    exist apart from other tenants' (and naming the constraint).
    """
    if not isinstance(write.site_id, Unset):
        if write.site_id is not None:
            site = access.get_referenced(
                session, actor, Site, write.site_id, SITE_POINTER
            )
            _require_same(site.operator_id, rule.organization_id, SITE_POINTER)
        rule.site_id = write.site_id
    if not isinstance(write.room_id, Unset):
        if write.room_id is not None:
            room = access.get_referenced(
                session, actor, Room, write.room_id, ROOM_POINTER
            )
            _require_same(room.site.operator_id, rule.organization_id, ROOM_POINTER)
        rule.room_id = write.room_id
    if rule.site_id is not None and rule.room_id is not None:
        room_site = session.scalar(select(Room.site_id).where(Room.id == rule.room_id))
        if room_site != rule.site_id:
            raise ValidationError(
                gettext("The room is not in the rule's site."), ROOM_POINTER
            )


def _require_same(owner_id: int, organization_id: int, pointer: str) -> None:
    if owner_id != organization_id:
        raise ValidationError(
            gettext("This belongs to another organization than the rule."), pointer
        )


def _check(rule: AlertRule) -> None:
    """Refuse values that only together make no sense (each alone was validated)."""
    if rule.kind == AlertKind.CO2:
        if rule.threshold_ppm is None:
            raise ValidationError(
                gettext("A CO2 rule needs a threshold."),
                "/data/attributes/threshold_ppm",
            )
        if rule.hysteresis_ppm >= rule.threshold_ppm:  # else it never clears
            raise ValidationError(
                gettext("The hysteresis must be less than the threshold."),
                "/data/attributes/hysteresis_ppm",
            )
    if (rule.active_from is None) != (rule.active_to is None):
        missing = "active_to" if rule.active_to is None else "active_from"
        raise ValidationError(
            gettext("Active hours need both a start and an end."),
            f"/data/attributes/{missing}",
        )
    if rule.active_from is not None and rule.active_from == rule.active_to:
        raise ValidationError(  # an empty window: the rule would never fire
            gettext(
                "Active hours cannot start and end at the same time; "
                "leave both out for whole days."
            ),
            "/data/attributes/active_to",
        )
