"""A live Managair database for import tests: Managair's schema, a generated world.

The schema is ``managair_schema.sql`` (written from Managair's migrated tables);
the world is generated set-based in SQL: people with Django PBKDF2 hashes, four
organizations, 100 nodes with fidelity, public, private and ended installations,
a photo, Stadtpuls registrations and ``samples_per_node`` samples per node,
five minutes apart from :data:`START_S`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from tests.support.database import _libpq, throwaway_database
from tests.support.managair_data import django_pbkdf2

SCHEMA = Path(__file__).with_name("managair_schema.sql")
START_S = 1_704_067_200  # 2024-01-01 00:00 UTC
STEP_S = 300
NODES = 100
ORGANIZATIONS = 4
#: the installation that ended (node 1's), and when
ENDED = 1
ENDED_S = START_S + 10 * 86_400
#: the installation with a photo
PHOTO = "3c5c7f0e-4bd8-4a5e-9a38-0a4c2b1e6f01.jpeg"
#: installations registered on Stadtpuls -> sensor id
STADTPULS = {3: 4003, 6: 4006}


@dataclass(frozen=True)
class Person:
    """A Managair user of the generated world."""

    pk: int
    username: str
    password: str
    email: str


#: Django hashes with few iterations: real PBKDF2, fast logins in tests.
PEOPLE = (
    Person(1, "mgr-admin", "admin-pw-1", "admin@managair.example"),
    Person(2, "mgr-owner", "owner-pw-2", "owner@managair.example"),
    Person(3, "mgr-assistant", "assistant-pw-3", "assistant@managair.example"),
    Person(4, "mgr-inspector", "inspector-pw-4", "inspector@managair.example"),
    Person(5, "mgr-other", "other-pw-5", "other@managair.example"),
)
#: (user, organization, role code); the removed ASSISTANT role is 'A'
MEMBERSHIPS = (
    (2, 1, "O"),
    (2, 2, "O"),
    (3, 1, "A"),
    (4, 1, "I"),
    (5, 3, "O"),
    (5, 4, "O"),
)

_WORLD = """
INSERT INTO core_organization (id, name, description)
SELECT o, 'Managair Org ' || o, 'generated organization ' || o
FROM generate_series(1, {organizations}) AS o;
INSERT INTO core_quantity (id, quantity, base_unit) VALUES
  (1, 'CO2', 'ppm'), (2, 'temperature', 'celsius'), (3, 'rel. humidity', 'percent');
INSERT INTO core_nodeprotocol (id, identifier, num_uplink_msgs, num_downlink_msgs)
VALUES (1, 'CLAIRCHENPROT_V01', 1, 0), (2, 'ELSYSERSPROT_V01', 1, 1);
INSERT INTO core_nodemodel (id, name, trade_name, manufacturer, sensor_type) VALUES
  (1, 'CLAIRCHEN', 'Clairchen', 'Clair', 'NDIR'),
  (2, 'ERS-CO2', 'ERS CO2', 'Elsys', 'NDIR');
INSERT INTO core_nodemodel_quantities (nodemodel_id, quantity_id)
VALUES (1, 1), (2, 1), (2, 2), (2, 3);
INSERT INTO core_node (id, eui64, alias, model_id, owner_id, protocol_id, description)
SELECT md5('managair-node-' || n)::uuid, upper(lpad(to_hex(n), 16, '0')),
       'Node ' || n, 1 + n % 2, 1 + n % {organizations}, 1 + n % 2,
       CASE WHEN n % 5 = 0 THEN 'node number ' || n END
FROM generate_series(1, {nodes}) AS n;
INSERT INTO core_nodefidelity (node_id, fidelity, last_contact_s, last_check_s)
SELECT md5('managair-node-' || n)::uuid, (ARRAY['E', 'M', 'D', 'U'])[1 + n % 4],
       CASE WHEN n % 4 <> 3 THEN {start} + n END, {start} + 3600
FROM generate_series(1, {nodes}, 2) AS n;
INSERT INTO core_address (id, street1, street2, zip, city, latitude, longitude)
SELECT a, 'Hauptstraße ' || a, NULL, lpad((10000 + a)::text, 5, '0'), 'Berlin',
       52.5 + a / 1000.0, 13.4 + a / 1000.0
FROM generate_series(1, {organizations}) AS a;
INSERT INTO core_site (id, name, description, address_id, operator_id)
SELECT s, 'Site ' || s, NULL, s, s FROM generate_series(1, {organizations}) AS s;
INSERT INTO core_room (id, name, description, size_sqm, max_occupancy, site_id, height_m)
SELECT n, 'Room ' || n, NULL, 40.5, 25, 1 + n % {organizations}, 3.2
FROM generate_series(1, {nodes}) AS n;
INSERT INTO core_roomnodeinstallation
  (id, from_timestamp_s, to_timestamp_s, description, node_id, room_id, is_public, image)
SELECT n, {start}, CASE WHEN n = {ended} THEN {ended_s} ELSE 2147483647 END,
       'installation ' || n, md5('managair-node-' || n)::uuid, n, n % 3 = 0,
       CASE WHEN n = 3 THEN {photo} END
FROM generate_series(1, {nodes}) AS n;
"""

_SAMPLES = """
INSERT INTO core_sample (timestamp_s, co2_ppm, temperature_celsius,
                         rel_humidity_percent, measurement_status, node_id)
SELECT {first} + i * {step}, 400 + (i * 7 + n * 13) % 1600,
       round((18 + ((i + n) % 80) / 10.0)::numeric, 1), 30 + (i + n) % 40,
       CASE WHEN i % 97 = 0 THEN 'R' ELSE 'M' END,
       md5('managair-node-' || n)::uuid
FROM generate_series(1, {nodes}) AS n, generate_series(0, {count} - 1) AS i
"""


def node_id(n: int) -> str:
    """The UUID of generated node ``n`` (as the SQL above makes it)."""
    return str(uuid.UUID(hashlib.md5(f"managair-node-{n}".encode()).hexdigest()))  # noqa: S324


@contextmanager
def managair_database(samples_per_node: int) -> Iterator[str]:
    """A throwaway Managair database with the generated world; yields its libpq URL."""
    with throwaway_database("managair_src") as url:
        dsn = _libpq(url)
        with psycopg.connect(dsn) as conn:
            conn.execute(SCHEMA.read_text(encoding="utf-8"))
            fill(conn, samples_per_node)
        yield dsn


def fill(conn: psycopg.Connection, samples_per_node: int) -> None:
    """Write the generated world into an empty Managair schema."""
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO auth_user (id, password, last_login, is_superuser, username,"
            " first_name, last_name, email, is_staff, is_active, date_joined)"
            " VALUES (%s, %s, NULL, %s, %s, %s, 'Tester', %s, %s, true,"
            " '2021-03-01T10:00:00Z')",
            [
                (
                    p.pk,
                    django_pbkdf2(p.password, f"salt{p.pk}", 1000),
                    p.pk == 1,
                    p.username,
                    p.username.title(),
                    p.email,
                    p.pk == 1,
                )
                for p in PEOPLE
            ],
        )
        cur.executemany(
            'INSERT INTO account_emailaddress (email, verified, "primary", user_id)'
            " VALUES (%s, true, true, %s)",
            [(p.email, p.pk) for p in PEOPLE],
        )
        cur.execute(
            "INSERT INTO authtoken_token (key, created, user_id)"
            " VALUES (repeat('a', 40), now(), 2)"
        )
        cur.execute(
            sql.SQL(_WORLD).format(
                organizations=ORGANIZATIONS,
                nodes=NODES,
                start=START_S,
                ended=ENDED,
                ended_s=ENDED_S,
                photo=f"installation_images/{PHOTO}",
            )
        )
        cur.executemany(
            "INSERT INTO core_membership (user_id, organization_id, role)"
            " VALUES (%s, %s, %s)",
            MEMBERSHIPS,
        )
        cur.executemany(
            "INSERT INTO stadtpuls_integration_stadpulssensor"
            " (inserted_s, stadtpuls_sensor_id, installation_id) VALUES (%s, %s, %s)",
            [(START_S + 60, sensor, inst) for inst, sensor in STADTPULS.items()],
        )
        add_samples(conn, START_S, samples_per_node)


def add_samples(conn: psycopg.Connection, start_s: int, count: int) -> None:
    """Add ``count`` samples per node, five minutes apart from ``start_s``.

    The foreign key and the unique key are dropped and added again around the
    insert: checked row by row, a million samples took a minute, checked once,
    seconds; the table ends exactly as Managair's.
    """
    conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks at ALTER
    conn.execute(
        "ALTER TABLE core_sample DROP CONSTRAINT core_sample_node_id_fkey,"
        " DROP CONSTRAINT core_sample_node_id_timestamp_s_key"
    )
    conn.execute(
        sql.SQL(_SAMPLES).format(first=start_s, count=count, step=STEP_S, nodes=NODES)
    )
    conn.execute(
        "ALTER TABLE core_sample ADD CONSTRAINT core_sample_node_id_fkey"
        " FOREIGN KEY (node_id) REFERENCES core_node (id) DEFERRABLE INITIALLY DEFERRED,"
        " ADD CONSTRAINT core_sample_node_id_timestamp_s_key"
        " UNIQUE (node_id, timestamp_s)"
    )
