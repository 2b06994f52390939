"""Factories: one plain function per model, each with sensible unique defaults."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import (
    Address,
    Alert,
    AlertKind,
    AlertRule,
    AlertWebhook,
    ApiToken,
    ClearReason,
    Installation,
    Membership,
    Node,
    NodeFidelity,
    NodeModel,
    Organization,
    Protocol,
    Quantity,
    Role,
    Room,
    Sample,
    Site,
    User,
)
from app.models.devices import Fidelity
from app.services.accounts.passwords import hash_password

_seq = itertools.count(1)
T0 = datetime(2024, 1, 1, tzinfo=UTC)
DEFAULT_PASSWORD = "correct-horse-battery"


@cache
def _password_hash() -> str:
    """Hash ``DEFAULT_PASSWORD`` once, on first use: importing this module (as
    the unit tests do through tests/support) must not pay for argon2."""
    return hash_password(DEFAULT_PASSWORD)


def _n() -> int:
    return next(_seq)


def _add(session: Session, row: Any) -> Any:
    session.add(row)
    session.flush()
    return row


def make_user(session: Session, **kw: Any) -> User:
    """A verified, active user whose password is ``DEFAULT_PASSWORD``."""
    n = _n()
    kw.setdefault("username", f"user{n}")
    kw.setdefault("email", f"user{n}@example.org")
    kw.setdefault("email_verified", True)
    if "password_hash" not in kw:
        kw["password_hash"] = _password_hash()
    return _add(session, User(**kw))  # type: ignore[no-any-return]


def make_organization(session: Session, **kw: Any) -> Organization:
    """An organization with a unique name."""
    kw.setdefault("name", f"Organization {_n()}")
    return _add(session, Organization(**kw))  # type: ignore[no-any-return]


def make_membership(
    session: Session,
    user: User,
    organization: Organization,
    role: Role = Role.INSPECTOR,
) -> Membership:
    """``user`` gets ``role`` in ``organization``."""
    return _add(  # type: ignore[no-any-return]
        session, Membership(user_id=user.id, organization_id=organization.id, role=role)
    )


def make_quantity(session: Session, **kw: Any) -> Quantity:
    """A measured quantity."""
    kw.setdefault("quantity", f"Quantity {_n()}")
    kw.setdefault("base_unit", "PPM")
    return _add(session, Quantity(**kw))  # type: ignore[no-any-return]


def make_protocol(session: Session, **kw: Any) -> Protocol:
    """A node protocol."""
    kw.setdefault("identifier", f"PROTO_{_n()}")
    return _add(session, Protocol(**kw))  # type: ignore[no-any-return]


def make_model(session: Session, **kw: Any) -> NodeModel:
    """A node model."""
    n = _n()
    kw.setdefault("name", f"MODEL_{n}")
    kw.setdefault("trade_name", f"Model {n}")
    kw.setdefault("manufacturer", "Acme")
    kw.setdefault("sensor_type", "NDIR")
    return _add(session, NodeModel(**kw))  # type: ignore[no-any-return]


def make_node(session: Session, owner: Organization | None = None, **kw: Any) -> Node:
    """A node with its own protocol and model unless given."""
    n = _n()
    kw.setdefault("id", uuid.uuid4())
    kw.setdefault("eui64", f"{n:016X}")
    kw.setdefault("alias", f"node {n}")
    if "protocol_id" not in kw:
        kw["protocol_id"] = make_protocol(session).id
    if "model_id" not in kw:
        kw["model_id"] = make_model(session).id
    kw["owner_id"] = (owner or make_organization(session)).id
    return _add(session, Node(**kw))  # type: ignore[no-any-return]


def make_address(session: Session, **kw: Any) -> Address:
    """A Berlin address with coordinates."""
    kw.setdefault("street1", f"Teststraße {_n()}")
    kw.setdefault("zip", "10115")
    kw.setdefault("city", "Berlin")
    kw.setdefault("latitude", Decimal("52.520008"))
    kw.setdefault("longitude", Decimal("13.404954"))
    return _add(session, Address(**kw))  # type: ignore[no-any-return]


def make_site(
    session: Session, operator: Organization | None = None, **kw: Any
) -> Site:
    """A site of ``operator`` (a new organization unless given)."""
    kw.setdefault("name", f"Site {_n()}")
    if "address_id" not in kw:
        kw["address_id"] = make_address(session).id
    kw["operator_id"] = (operator or make_organization(session)).id
    return _add(session, Site(**kw))  # type: ignore[no-any-return]


def make_room(session: Session, site: Site | None = None, **kw: Any) -> Room:
    """A room of ``site`` (a new site unless given)."""
    kw.setdefault("name", f"Room {_n()}")
    kw["site_id"] = (site or make_site(session)).id
    return _add(session, Room(**kw))  # type: ignore[no-any-return]


def make_installation(
    session: Session, node: Node | None = None, room: Room | None = None, **kw: Any
) -> Installation:
    """An open-ended installation of ``node`` in ``room`` (same owner) from T0."""
    if room is None:
        owner_id = node.owner_id if node else make_organization(session).id
        room = make_room(
            session,
            site=make_site(session, operator=session.get(Organization, owner_id)),
        )
    if node is None:
        node = make_node(session, owner=room.site.operator)
    kw.setdefault("from_time", T0)
    return _add(session, Installation(node_id=node.id, room_id=room.id, **kw))  # type: ignore[no-any-return]


def make_samples(
    session: Session,
    node: Node,
    start: datetime = T0,
    count: int = 12,
    step: timedelta = timedelta(minutes=5),
    co2_ppm: int | Sequence[int] = 600,
) -> list[Sample]:
    """``count`` samples of ``node`` every ``step`` from ``start`` (``co2_ppm``: one
    value for all, or the i-th sample's value at i)."""
    rows = [
        Sample(
            node_id=node.id,
            time=start + i * step,
            co2_ppm=co2_ppm if isinstance(co2_ppm, int) else co2_ppm[i],
            temperature_celsius=Decimal("21.5"),
            rel_humidity_percent=45,
        )
        for i in range(count)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def make_fidelity(session: Session, node: Node, **kw: Any) -> NodeFidelity:
    """A fidelity row for ``node``."""
    kw.setdefault("fidelity", Fidelity.UNKNOWN)
    kw.setdefault("last_check", T0)
    return _add(session, NodeFidelity(node_id=node.id, **kw))  # type: ignore[no-any-return]


def make_token(session: Session, **kw: Any) -> ApiToken:
    """A stored token row (digest only)."""
    n = _n()
    kw.setdefault("kind", "ingest")
    kw.setdefault("digest", f"{n:064x}")
    kw.setdefault("prefix", f"{n:08x}")
    return _add(session, ApiToken(**kw))  # type: ignore[no-any-return]


def count(session: Session, table: str) -> int:
    """Count the rows of ``table`` (a trusted literal name)."""
    return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


def make_ingest_key(
    session: Session, organization: Organization | None = None, name: str = "test"
) -> str:
    """An ingest token for ``organization`` (deployment-wide when None): its secret."""
    from app.services.accounts.tokens import issue_ingest_token

    org_id = organization.id if organization is not None else None
    return issue_ingest_token(session, org_id, name).key


def make_alert_rule(
    session: Session, organization: Organization, **kw: Any
) -> AlertRule:
    """A CO2 rule of ``organization`` with the defaults of the API (1500 ppm, 10 min)."""
    kw.setdefault("name", f"Rule {_n()}")
    kw.setdefault("kind", AlertKind.CO2)
    kw.setdefault("threshold_ppm", 1500)
    kw.setdefault("hysteresis_ppm", 100)
    kw.setdefault("duration_s", 600)
    kw.setdefault("clear_duration_s", 300)
    kw.setdefault("time_zone", "Europe/Berlin")
    return _add(session, AlertRule(organization_id=organization.id, **kw))  # type: ignore[no-any-return]


def make_alert_webhook(
    session: Session, organization: Organization, **kw: Any
) -> AlertWebhook:
    """The alert webhook of ``organization`` (an address that answers nothing)."""
    kw.setdefault("url", "https://hooks.example.org/alerts")
    kw.setdefault("secret", "alert-hook-secret")
    return _add(session, AlertWebhook(organization_id=organization.id, **kw))  # type: ignore[no-any-return]


def make_alert(session: Session, rule: AlertRule, room: Room, **kw: Any) -> Alert:
    """An open alert of ``rule`` in ``room`` since T0."""
    kw.setdefault("since", T0)
    kw.setdefault("opened_at", T0 + timedelta(minutes=10))
    kw.setdefault("peak_ppm", 1800)
    if kw.get("cleared_at") is not None:
        kw.setdefault("cleared_reason", ClearReason.RECOVERED)
    return _add(session, Alert(rule_id=rule.id, room_id=room.id, **kw))  # type: ignore[no-any-return]
