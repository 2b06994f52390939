"""A realistic demo world: organizations, people, rooms, nodes and 30 days of samples.

Everything is looked up by its natural key before it is created, and samples are
inserted with ``ON CONFLICT DO NOTHING``, so loading twice changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.models import (
    Address,
    Installation,
    Membership,
    Node,
    NodeModel,
    Organization,
    Protocol,
    Quantity,
    Role,
    Room,
    Site,
    User,
)
from app.models.types import utcnow
from app.services.accounts.users import NewUser, create_user

M = TypeVar("M")

NAMESPACE = uuid.UUID("6f1c8e2a-4b7d-4c55-9a51-0d2f1e3c4b5a")
SAMPLE_DAYS = 30
SAMPLE_STEP = timedelta(minutes=5)
SILENT_FOR = timedelta(hours=3)


@dataclass(frozen=True)
class DemoLogin:
    """A demo account and what it may do."""

    username: str
    password: str
    what: str


LOGINS = (
    DemoLogin("admin", "admin-demo", "staff: back office"),
    DemoLogin(
        "olivia",
        "olivia-demo",
        "OWNER of Kiezschule Nord and Bar Blau, INSPECTOR of Praxis Dr. Berg",
    ),
    DemoLogin("ivan", "ivan-demo1", "INSPECTOR of Kiezschule Nord"),
    DemoLogin("paul", "paul-demo1", "OWNER of Praxis Dr. Berg"),
)

QUANTITIES = (("CO2", "PPM"), ("Temperature", "°C"), ("Relative Humidity", "%"))
PROTOCOLS = ("CLAIRCHENPROT_V01", "ELSYSERSPROT_V01")
MODELS = (
    (
        "CLAIRCHEN_PROTOTYPE_01",
        "Clairchen Mark 1",
        "Clairchen Enterprises",
        "Sensirion SCD30",
        "CLAIRCHENPROT_V01",
    ),
    (
        "ELSYS_ERS_CO2",
        "ElSys ERS CO2",
        "Elektroniksystem i Umeå AB",
        "Sensair LP8",
        "ELSYSERSPROT_V01",
    ),
)

# organization, description, owners, inspectors, site, address, opening hours
ORGANIZATIONS: tuple[dict[str, Any], ...] = (
    {
        "name": "Kiezschule Nord",
        "description": "Grundschule im Wedding",
        "owners": ("olivia",),
        "inspectors": ("ivan",),
        "site": "Schulgebäude A",
        "address": ("Schulstraße 12", "13347", "Berlin", "52.548200", "13.358900"),
        "open": (8.0, 15.0, False),
    },
    {
        "name": "Bar Blau",
        "description": "Cocktailbar in Neukölln",
        "owners": ("olivia",),
        "inspectors": (),
        "site": "Bar Blau",
        "address": ("Weserstraße 40", "12045", "Berlin", "52.486100", "13.434800"),
        "open": (18.0, 23.5, True),
    },
    {
        "name": "Praxis Dr. Berg",
        "description": "Allgemeinmedizin",
        "owners": ("paul",),
        "inspectors": ("olivia",),
        "site": "Praxis",
        "address": ("Karl-Marx-Allee 90", "10243", "Berlin", "52.516900", "13.438400"),
        "open": (8.0, 18.0, False),
    },
)

# room, organization, size, height, occupancy, node alias, model index, public,
# what the node did: "normal", "silent" (stopped 3 h ago), "never" (no samples)
ROOMS = (
    (
        "Klasse 5a",
        "Kiezschule Nord",
        "62.0",
        "3.2",
        28,
        "5a-Fenster",
        0,
        True,
        "normal",
    ),
    ("Klasse 6b", "Kiezschule Nord", "58.5", "3.2", 26, "6b-Tafel", 1, False, "normal"),
    (
        "Lehrerzimmer",
        "Kiezschule Nord",
        "40.0",
        "3.0",
        15,
        "LZ-Regal",
        1,
        False,
        "normal",
    ),
    ("Gastraum", "Bar Blau", "85.0", "3.5", 60, "Tresen", 0, True, "normal"),
    ("Hinterzimmer", "Bar Blau", "30.0", "2.8", 20, "Hinterzimmer", 1, False, "never"),
    (
        "Wartezimmer",
        "Praxis Dr. Berg",
        "24.0",
        "2.7",
        10,
        "Wartezimmer",
        1,
        True,
        "normal",
    ),
    (
        "Behandlung 1",
        "Praxis Dr. Berg",
        "16.0",
        "2.7",
        3,
        "Behandlung-1",
        0,
        False,
        "silent",
    ),
)


def demo_node_id(alias: str) -> uuid.UUID:
    """Return the stable UUID of a demo node."""
    return uuid.uuid5(NAMESPACE, alias)


def demo_eui(alias: str) -> str:
    """Return the stable DevEUI of a demo node."""
    return demo_node_id(alias).hex[:16].upper()


def load_demo(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Create the demo world, or complete it where it exists; never duplicates.

    Returns:
        How many samples this call inserted, and how many nodes are installed.
    """
    now = now or utcnow()
    users = {login.username: _user(session, login) for login in LOGINS}
    models = _catalogue(session)
    orgs = {spec["name"]: _organization(session, spec, users) for spec in ORGANIZATIONS}
    start = _grid(now) - timedelta(days=SAMPLE_DAYS)
    inserted = 0
    for name, org_name, size, height, occupancy, alias, model_ix, public, kind in ROOMS:
        spec = next(o for o in ORGANIZATIONS if o["name"] == org_name)
        org, site = orgs[org_name]
        room = _get_or_add(
            session,
            Room,
            site_id=site.id,
            name=name,
            defaults={
                "size_sqm": Decimal(size),
                "height_m": Decimal(height),
                "max_occupancy": occupancy,
            },
        )
        node = _node(session, alias, models[model_ix], org)
        installed = now - timedelta(days=SAMPLE_DAYS + 30)
        if kind == "never":
            installed = now - timedelta(days=1)
        _get_or_add(
            session,
            Installation,
            node_id=node.id,
            from_time=_grid(installed),
            defaults={
                "room_id": room.id,
                "is_public": public,
                "description": "Demo-Installation",
            },
        )
        if kind == "never":
            continue
        end = _grid(now - SILENT_FOR) if kind == "silent" else _grid(now)
        inserted += _samples(
            session,
            node.id,
            start,
            end,
            spec["open"],
            seed=len(name),
            occupancy=occupancy,
        )
    inserted += _ended_installation(session, orgs, models, start, now)
    session.flush()
    return {"samples_inserted": inserted, "installations": len(ROOMS) + 1}


def _grid(moment: datetime) -> datetime:
    """Round down to the 5-minute sample grid so reloads hit the same times."""
    return moment.replace(second=0, microsecond=0) - timedelta(
        minutes=moment.minute % 5
    )


def _user(session: Session, login: DemoLogin) -> User:
    user = session.scalar(select(User).where(User.username == login.username))
    if user is not None:
        return user
    return create_user(
        session,
        NewUser(
            username=login.username,
            email=f"{login.username}@demo.example",
            password=login.password,
            first_name=login.username.capitalize(),
            is_staff=login.username == "admin",
            is_superuser=login.username == "admin",
            email_verified=True,
        ),
    )


def _catalogue(session: Session) -> list[NodeModel]:
    quantities = [
        _get_or_add(session, Quantity, quantity=q, defaults={"base_unit": unit})
        for q, unit in QUANTITIES
    ]
    for ident in PROTOCOLS:
        _get_or_add(
            session,
            Protocol,
            identifier=ident,
            defaults={"num_uplink_msgs": 1, "num_downlink_msgs": 0},
        )
    models = []
    for name, trade, maker, sensor, _protocol in MODELS:
        model = _get_or_add(
            session,
            NodeModel,
            name=name,
            defaults={
                "trade_name": trade,
                "manufacturer": maker,
                "sensor_type": sensor,
            },
        )
        if not model.quantities:
            model.quantities = list(quantities)
        models.append(model)
    session.flush()
    return models


def _organization(
    session: Session, spec: dict[str, Any], users: dict[str, User]
) -> tuple[Organization, Site]:
    org = _get_or_add(
        session,
        Organization,
        name=spec["name"],
        defaults={"description": spec["description"]},
    )
    for role, names in (
        (Role.OWNER, spec["owners"]),
        (Role.INSPECTOR, spec["inspectors"]),
    ):
        for username in names:
            _get_or_add(
                session,
                Membership,
                user_id=users[username].id,
                organization_id=org.id,
                defaults={"role": role},
            )
    street, zip_code, city, lat, lon = spec["address"]
    address = _get_or_add(
        session,
        Address,
        street1=street,
        zip=zip_code,
        city=city,
        defaults={"latitude": Decimal(lat), "longitude": Decimal(lon)},
    )
    site = _get_or_add(
        session,
        Site,
        operator_id=org.id,
        name=spec["site"],
        defaults={"address_id": address.id},
    )
    return org, site


def _node(session: Session, alias: str, model: NodeModel, org: Organization) -> Node:
    protocol_ident = next(m[4] for m in MODELS if m[0] == model.name)
    protocol = session.scalars(
        select(Protocol).where(Protocol.identifier == protocol_ident)
    ).one()
    return _get_or_add(
        session,
        Node,
        id=demo_node_id(alias),
        defaults={
            "eui64": demo_eui(alias),
            "alias": alias,
            "model_id": model.id,
            "protocol_id": protocol.id,
            "owner_id": org.id,
            "description": f"Demo-Sensor {model.trade_name}",
        },
    )


def _ended_installation(
    session: Session,
    orgs: dict[str, tuple[Organization, Site]],
    models: list[NodeModel],
    start: datetime,
    now: datetime,
) -> int:
    """A node that measured in the teachers' room until ten days ago, then was stored."""
    org, site = orgs["Kiezschule Nord"]
    room = session.scalars(
        select(Room).where(Room.site_id == site.id, Room.name == "Lehrerzimmer")
    ).one()
    node = _node(session, "Leihgerät", models[0], org)
    ended = _grid(now - timedelta(days=10))
    _get_or_add(
        session,
        Installation,
        node_id=node.id,
        from_time=start,
        defaults={
            "room_id": room.id,
            "to_time": ended,
            "is_public": False,
            "description": "Leihgerät, wieder abgebaut",
        },
    )
    return _samples(
        session, node.id, start, ended, (8.0, 15.0, False), seed=7, occupancy=12
    )


def _samples(
    session: Session,
    node_id: uuid.UUID,
    start: datetime,
    end: datetime,
    opening: tuple[float, float, bool],
    seed: int,
    occupancy: int,
) -> int:
    """Insert 5-minute samples: CO2 rises while the room is open and decays after.

    The rise is steeper the more people the room holds (up to +1400 ppm).

    The curve is computed in the database (one INSERT ... SELECT per node), so
    30 days for all nodes take well under a second.
    """
    open_h, close_h, weekends = opening
    session.execute(text("SELECT setseed(:seed)"), {"seed": (seed % 10) / 10})
    result = session.execute(
        text(
            """
            WITH grid AS (
                SELECT t,
                       extract(hour FROM t AT TIME ZONE 'Europe/Berlin')
                       + extract(minute FROM t AT TIME ZONE 'Europe/Berlin') / 60.0 AS h,
                       extract(isodow FROM t AT TIME ZONE 'Europe/Berlin') AS dow
                FROM generate_series(CAST(:start AS timestamptz),
                                     CAST(:end AS timestamptz),
                                     interval '5 minutes') AS t
            ), curve AS (
                SELECT t,
                       CASE
                         WHEN NOT :weekends AND dow > 5 THEN 0
                         WHEN h >= :open_h AND h < :close_h
                           THEN :amp * (1 - exp(-(h - :open_h) / 1.2))
                         WHEN h >= :close_h
                           THEN :amp * (1 - exp(-(:close_h - :open_h) / 1.2))
                                * exp(-(h - :close_h) / 1.5)
                         ELSE 0
                       END AS excess
                FROM grid
            )
            INSERT INTO samples (time, node_id, co2_ppm, temperature_celsius,
                                 rel_humidity_percent, measurement_status)
            SELECT t, :node,
                   round(420 + excess + random() * 40 - 20),
                   round(CAST(19.5 + excess / 400 + random() - 0.5 AS numeric), 1),
                   round(38 + excess / 60 + random() * 4),
                   'M'
            FROM curve
            ON CONFLICT (node_id, time) DO NOTHING
            """
        ),
        {
            "start": start,
            "end": end,
            "node": node_id,
            "open_h": open_h,
            "close_h": close_h,
            "weekends": weekends,
            "amp": min(1400, 300 + 40 * occupancy),
        },
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _get_or_add(
    session: Session, model: type[M], defaults: dict[str, Any] | None = None, **key: Any
) -> M:
    """Return the row with ``key``, or add one with ``key`` and ``defaults``."""
    found = session.scalars(select(model).filter_by(**key)).one_or_none()
    if found is not None:
        return found
    row = model(**key, **(defaults or {}))
    session.add(row)
    session.flush()
    return row
