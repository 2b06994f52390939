"""Reading a live Managair database: one read-only snapshot, records as dumpdata.

``flask import managair --from-db URL`` reads Managair's tables directly instead
of ``dumpdata`` files. Each small table is selected as the JSON object
``manage.py dumpdata`` would have written for its rows, so the records go through
the very same loaders (one row-to-record mapping, not two); samples are not
records: :mod:`.samples` streams them with ``COPY``.

Everything is read in one ``REPEATABLE READ, READ ONLY`` transaction: a running
Managair keeps working, and the tables and samples read belong to one moment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import partial

import psycopg
from psycopg import sql
from psycopg.types.json import set_json_loads
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from app.services.importer.registry import FixtureImportError, Record

#: Django model label -> (table, the ``fields`` of its dumpdata object as SQL).
#: Foreign keys are named as dumpdata names them (``owner``, not ``owner_id``).
MODELS: dict[str, tuple[str, str]] = {
    "auth.user": (
        "auth_user",
        "'password', password, 'last_login', last_login, "
        "'is_superuser', is_superuser, 'username', username, "
        "'first_name', first_name, 'last_name', last_name, 'email', email, "
        "'is_staff', is_staff, 'is_active', is_active, 'date_joined', date_joined",
    ),
    "account.emailaddress": (
        "account_emailaddress",
        "'email', email, 'verified', verified, 'primary', \"primary\", 'user', user_id",
    ),
    "core.organization": (
        "core_organization",
        "'name', name, 'description', description",
    ),
    "core.membership": (
        "core_membership",
        "'role', role, 'organization', organization_id, 'user', user_id",
    ),
    "core.quantity": ("core_quantity", "'quantity', quantity, 'base_unit', base_unit"),
    "core.nodeprotocol": (
        "core_nodeprotocol",
        "'identifier', identifier, 'num_uplink_msgs', num_uplink_msgs, "
        "'num_downlink_msgs', num_downlink_msgs",
    ),
    "core.nodemodel": (
        "core_nodemodel",
        "'name', name, 'trade_name', trade_name, 'manufacturer', manufacturer, "
        "'sensor_type', sensor_type, 'quantities', (SELECT coalesce("
        "json_agg(q.quantity_id ORDER BY q.quantity_id), '[]') "
        "FROM core_nodemodel_quantities AS q WHERE q.nodemodel_id = t.id)",
    ),
    "core.node": (
        "core_node",
        "'eui64', eui64, 'alias', alias, 'description', description, "
        "'protocol', protocol_id, 'model', model_id, 'owner', owner_id",
    ),
    "core.nodefidelity": (
        "core_nodefidelity",
        "'node', node_id, 'fidelity', fidelity, "
        "'last_contact_s', last_contact_s, 'last_check_s', last_check_s",
    ),
    "core.address": (
        "core_address",
        "'street1', street1, 'street2', street2, 'zip', zip, 'city', city, "
        "'latitude', latitude, 'longitude', longitude",
    ),
    "core.site": (
        "core_site",
        "'name', name, 'description', description, 'address', address_id, "
        "'operator', operator_id",
    ),
    "core.room": (
        "core_room",
        "'name', name, 'description', description, 'size_sqm', size_sqm, "
        "'height_m', height_m, 'max_occupancy', max_occupancy, 'site', site_id",
    ),
    "core.roomnodeinstallation": (
        "core_roomnodeinstallation",
        "'node', node_id, 'room', room_id, 'from_timestamp_s', from_timestamp_s, "
        "'to_timestamp_s', to_timestamp_s, 'description', description, "
        "'is_public', is_public, 'image', image",
    ),
    "stadtpuls_integration.stadpulssensor": (
        "stadtpuls_integration_stadpulssensor",
        "'inserted_s', inserted_s, 'stadtpuls_sensor_id', stadtpuls_sensor_id, "
        "'installation', installation_id",
    ),
}
#: the primary key column of the tables whose key is not ``id``
KEYS = {"core_nodefidelity": "node_id"}
SAMPLES = "core_sample"


#: query parameters of a libpq URL that hold a secret
SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def masked(url: str) -> str:
    """``url`` with its password replaced by ``***``, for messages and logs
    (also one given as ``?password=``)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is no number
        return "<unparsable database URL>"
    query = {
        key: "***" if key.lower() in SECRET_PARAMETERS else value
        for key, value in parsed.query.items()
    }
    rendered = parsed.set(query=query).render_as_string(hide_password=True)
    return rendered.replace("=%2A%2A%2A", "=***")


def libpq_url(url: str) -> str:
    """A URL psycopg accepts, also from SQLAlchemy's ``postgresql+psycopg://``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is no number
        raise FixtureImportError(
            "--from-db: not a database URL; give "
            "postgresql://USER:PASSWORD@HOST:PORT/NAME."
        ) from None
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def snapshot(url: str) -> Iterator[psycopg.Connection]:
    """Connect to Managair's database and open one read-only repeatable-read snapshot.

    Raises:
        FixtureImportError: the database cannot be reached (the password is masked).
    """
    try:
        conn = psycopg.connect(libpq_url(url), connect_timeout=10)
    except psycopg.Error as exc:  # ProgrammingError: a query parameter libpq lacks
        message = str(exc).replace(url, masked(url))
        raise FixtureImportError(
            f"cannot connect to {masked(url)}: {message.strip()}"
        ) from None
    try:
        set_json_loads(partial(json.loads, parse_float=Decimal), conn)
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield conn
    finally:
        conn.rollback()
        conn.close()


def read_records(conn: psycopg.Connection) -> dict[str, list[Record]]:
    """Every row of Managair's small tables as dumpdata records, by Django model.

    Raises:
        FixtureImportError: a table is missing (not Managair's database) or unreadable.
    """
    by_model: dict[str, list[Record]] = {}
    for label, (table, fields) in MODELS.items():
        key = KEYS.get(table, "id")
        query = sql.SQL(
            "SELECT t.{key}, json_build_object({fields}) FROM {table} AS t ORDER BY 1"
        ).format(
            key=sql.Identifier(key),
            fields=sql.SQL(fields),
            table=sql.Identifier(table),
        )
        try:
            rows = conn.execute(query).fetchall()
        except psycopg.errors.UndefinedTable:
            raise FixtureImportError(
                f"not a Managair database (table {table} missing)."
            ) from None
        except psycopg.errors.InsufficientPrivilege:
            raise FixtureImportError(
                f"cannot read table {table}: GRANT SELECT ON ALL TABLES IN SCHEMA"
                " public to the role in the URL."
            ) from None
        by_model[label] = [
            Record(label, _pk(pk), dict(values), table) for pk, values in rows
        ]
    return by_model


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Rows per Managair table, by Django model (the verification's source side)."""
    counts = {}
    for label, (table, _) in MODELS.items():
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        counts[label] = int(conn.execute(query).fetchone()[0])  # type: ignore[index]
    return counts


def _pk(value: object) -> object:
    """Keys as dumpdata writes them: integers, and UUIDs as text."""
    return value if isinstance(value, int) else str(value)
