"""Managair's demo world (spec §12) in the test database.

People (users, e-mail addresses, organizations, memberships) come in through
the real importer. Inventory rows (catalogue, addresses, sites, rooms, nodes,
installations) are made by the factories with the fixture's ids for as long
as no importer is registered for them; once the inventory importer exists,
the importer loads them and the factories step aside model by model.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.models import (
    Address,
    Installation,
    Node,
    NodeModel,
    Organization,
    Protocol,
    Quantity,
    Room,
    Site,
    User,
)
from app.services.importer import ImportReport, import_fixtures
from app.services.importer.registry import REGISTRY, reset_identity
from tests.factories import (
    make_address,
    make_installation,
    make_model,
    make_node,
    make_protocol,
    make_quantity,
    make_room,
    make_site,
)
from tests.support.paths import managair_fixtures

USERS_FILE = "user-fixtures.json"
INVENTORY_FILE = "inventory-fixtures.json"
OPEN_END_S = 2147483647

#: §12.1: username -> (id, password).
PEOPLE = {
    "admin": (1, "admin"),
    "tomTester": (2, "test"),
    "veraVersuch": (3, "versuch"),
    "horstHilfsarbeiter": (4, "horst"),
    "annaAngestellte": (5, "anna"),
    "ingoInspekteur": (6, "ingo"),
    "priskaPrueferin": (7, "priska"),
}


def import_people(session: Session) -> ImportReport:
    """Import the users file and the inventory file's people with the importer."""
    folder = managair_fixtures()
    return import_fixtures(session, [folder / USERS_FILE, folder / INVENTORY_FILE])


def load_world(session: Session) -> None:
    """Import the people, then make the inventory rows no importer handles yet."""
    import_people(session)
    records = _records(INVENTORY_FILE)
    for label, make in _MAKERS:
        if label not in REGISTRY:
            for fields in records.get(label, []):
                make(session, fields)
    for table in _TABLES:
        reset_identity(session, table)
    session.flush()


def user(session: Session, username: str) -> User:
    """Return an imported user by username."""
    return session.scalars(select(User).where(User.username == username)).one()


def _records(name: str) -> dict[str, list[dict[str, Any]]]:
    rows = json.loads((managair_fixtures() / name).read_text(encoding="utf-8"))
    by_model: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_model.setdefault(row["model"], []).append({"pk": row["pk"], **row["fields"]})
    return by_model


def _time(epoch_s: int) -> datetime | None:
    return None if epoch_s == OPEN_END_S else datetime.fromtimestamp(epoch_s, UTC)


def _org(session: Session, pk: int) -> Organization:
    org = session.get(Organization, pk)
    assert org is not None, f"organization {pk} was not imported"
    return org


def _address(session: Session, f: dict[str, Any]) -> None:
    make_address(
        session,
        id=f["pk"],
        street1=f["street1"],
        street2=f["street2"],
        zip=f["zip"],
        city=f["city"],
        latitude=None,
        longitude=None,
    )


def _site(session: Session, f: dict[str, Any]) -> None:
    make_site(
        session,
        _org(session, f["operator"]),
        id=f["pk"],
        name=f["name"],
        description=f["description"],
        address_id=f["address"],
    )


def _room(session: Session, f: dict[str, Any]) -> None:
    make_room(
        session,
        session.get(Site, f["site"]),
        id=f["pk"],
        name=f["name"],
        description=f["description"],
        size_sqm=Decimal(f["size_sqm"]),
        height_m=Decimal(f["height_m"]),
        max_occupancy=f["max_occupancy"],
    )


def _node(session: Session, f: dict[str, Any]) -> None:
    make_node(
        session,
        _org(session, f["owner"]),
        id=uuid.UUID(f["pk"]),
        eui64=f["eui64"].upper(),
        alias=f["alias"],
        protocol_id=f["protocol"],
        model_id=f["model"],
    )


def _installation(session: Session, f: dict[str, Any]) -> None:
    make_installation(
        session,
        session.get(Node, uuid.UUID(f["node"])),
        session.get(Room, f["room"]),
        id=f["pk"],
        from_time=_time(f["from_timestamp_s"]),
        to_time=_time(f["to_timestamp_s"]),
        description=f["description"],
        is_public=f.get("is_public", False),
    )


def _quantity(session: Session, f: dict[str, Any]) -> None:
    make_quantity(session, id=f["pk"], quantity=f["quantity"], base_unit=f["base_unit"])


def _protocol(session: Session, f: dict[str, Any]) -> None:
    make_protocol(
        session,
        id=f["pk"],
        identifier=f["identifier"],
        num_uplink_msgs=f["num_uplink_msgs"],
        num_downlink_msgs=f["num_downlink_msgs"],
    )


def _model(session: Session, f: dict[str, Any]) -> None:
    model = make_model(
        session,
        id=f["pk"],
        name=f["name"],
        trade_name=f["trade_name"],
        manufacturer=f["manufacturer"],
        sensor_type=f["sensor_type"],
    )
    model.quantities = list(_quantities(session, f["quantities"]))


def _quantities(session: Session, ids: list[int]) -> Iterator[Quantity]:
    for pk in ids:
        quantity = session.get(Quantity, pk)
        if quantity is not None:
            yield quantity


_MAKERS: tuple[tuple[str, Callable[[Session, dict[str, Any]], None]], ...] = (
    ("core.quantity", _quantity),
    ("core.nodeprotocol", _protocol),
    ("core.nodemodel", _model),
    ("core.address", _address),
    ("core.site", _site),
    ("core.room", _room),
    ("core.node", _node),
    ("core.roomnodeinstallation", _installation),
)
_TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (Quantity, Protocol, NodeModel, Address, Site, Room, Installation)
)
