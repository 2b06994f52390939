"""A Managair deployment of the project's own, in Django's ``dumpdata`` JSON format.

The importer's tests need what a real Managair export holds: users with Django's
PBKDF2 hashes and allauth's e-mail rows, organizations, memberships, the device
catalogue, nodes, addresses, sites, rooms, public, private and ended
installations, and a few thousand samples. This module writes such a world from
code, the same on every run, so the repository carries everything its tests use.

The world is Managair's demo world (same people, passwords, ids and names, which
the API tests assert); its samples are laid out so the counts those tests rely on
hold: Clairchen Schwarz has 589 samples, 468 in installation 2 (71 of them from
1601675365 to 1601738613, 39 from 1601725200 to 1601795400) and 121 in
installation 3, the latest at 1603581327; Clairchen Rot has 2 301, the ERS
test node 965 (all but the first without temperature and humidity).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from app.services.ops import demo
from app.services.series.epoch import OPEN_END_S

Fixture = dict[str, Any]

USERS_FILE = "user-fixtures.json"
INVENTORY_FILE = "inventory-fixtures.json"
DATA_FILE = "data-fixtures.json"

SCHWARZ = "3b95a1b2-74e7-9e98-52c4-4acae441f0ae"
ERS = "9d02faee-4260-1377-22ec-936428b572ee"
ROT = "c727b2f8-8377-d4cb-0e95-ac03200b8c93"
HPI_EUIS = tuple(f"a81758fffe053c{end}" for end in ("ab", "ae", "ac", "ad", "13", "14"))


class Person(NamedTuple):
    """One Managair user and the password their hash was made from."""

    pk: int
    username: str
    password: str
    first_name: str
    last_name: str
    email: str
    iterations: int  # Django 3.0 hashed with 180 000 rounds, Django 3.1 with 216 000
    joined: str


# pk, username, password, first and last name (- for none), e-mail, rounds, joined
_PEOPLE_TABLE = """
1 admin              admin   -      -             admin@admin.de         216000 10-11
2 tomTester          test    Tom    Tester        tom.tester@test.de     180000 10-11
3 veraVersuch        versuch Vera   Versuch       vera@versuch.de        180000 10-11
4 horstHilfsarbeiter horst   Horst  Hilfsarbeiter horst@hilfsarbeiter.de 216000 10-20
5 annaAngestellte    anna    Anna   Angestellte   anna@angestellte.de    216000 10-20
6 ingoInspekteur     ingo    Ingo   Inspekteur    ingo@inspekteur.de     216000 10-20
7 priskaPrueferin    priska  Priska Prüferin      priska@prueferin.de    216000 10-20
"""


def _person(line: str) -> Person:
    pk, username, password, first, last, email, rounds, day = line.split()
    return Person(
        int(pk),
        username,
        password,
        first.strip("-"),
        last.strip("-"),
        email,
        int(rounds),
        f"2020-{day}T1{pk}:30:00Z",
    )


#: Managair's demo people (its spec §12.1); ``admin`` has no allauth e-mail row.
PEOPLE = tuple(_person(line) for line in _PEOPLE_TABLE.strip().splitlines())

# pk, user, organization, role ("O" owner, "I" inspector); pks have gaps, as in Django
MEMBERSHIPS = (
    (4, 2, 1, "O"),
    (5, 3, 2, "O"),
    (6, 4, 2, "I"),
    (7, 5, 1, "I"),
    (8, 6, 2, "I"),
    (9, 6, 1, "I"),
    (15, 7, 2, "O"),
    (16, 7, 1, "I"),
    (17, 2, 3, "O"),
)


def record(label: str, pk: Any, /, **fields: Any) -> Fixture:
    """One object as ``manage.py dumpdata`` writes it (``label``: app.model)."""
    return {"model": label, "pk": pk, "fields": fields}


@cache
def django_pbkdf2(password: str, salt: str, iterations: int) -> str:
    """Hash ``password`` the way Django's ``PBKDF2PasswordHasher`` does (slowly, so
    each hash is made once per process)."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    encoded = base64.b64encode(digest).decode("ascii")
    return f"pbkdf2_sha256${iterations}${salt}${encoded}"


def user_records() -> list[Fixture]:
    """``user-fixtures.json``: users, e-mail rows and Django's unused permissions."""
    users = [
        record(
            "auth.user",
            p.pk,
            password=django_pbkdf2(p.password, _salt(p.username), p.iterations),
            last_login=None,
            is_superuser=p.username == "admin",
            username=p.username,
            first_name=p.first_name,
            last_name=p.last_name,
            email=p.email,
            is_staff=p.username == "admin",
            is_active=True,
            date_joined=p.joined,
            groups=[] if p.username == "admin" else [1],
            user_permissions=[],
        )
        for p in PEOPLE
    ]
    emails = [
        record(
            "account.emailaddress",
            p.pk + 4,
            user=p.pk,
            email=p.email,
            verified=True,
            primary=True,
        )
        for p in PEOPLE
        if p.username != "admin"
    ]
    permissions = [
        record(
            "auth.permission",
            pk,
            name=f"Can {verb} {model}",
            content_type=7 + pk // 4,
            codename=f"{verb}_{model}",
        )
        for pk, (model, verb) in enumerate(
            ((m, v) for m in ("node", "site", "room") for v in _VERBS), start=1
        )
    ]
    group = record(
        "auth.group",
        1,
        name="site_operators",
        permissions=[p["pk"] for p in permissions],
    )
    return [*permissions, group, *users, *emails]


def inventory_records() -> list[Fixture]:
    """``inventory-fixtures.json``: tenancy, catalogue and the inventory."""
    return [
        *_tenancy(),
        *_catalogue(),
        *_places(),
        *_nodes(),
        *_installations(),
    ]


def sample_records() -> list[Fixture]:
    """``data-fixtures.json``: 3 855 samples of three nodes, all status ``M``."""
    pk = 0
    out: list[Fixture] = []
    for node, times in (
        (ERS, _ers_times()),
        (ROT, _rot_times()),
        (SCHWARZ, _schwarz()),
    ):
        for i, ts in enumerate(times):
            pk += 1
            bare = node == ERS and i > 0  # the ERS node only sent CO2 after its first
            out.append(
                record(
                    "core.sample",
                    pk,
                    node=node,
                    timestamp_s=ts,
                    co2_ppm=360 + (pk * 37 % 51) * 20,
                    temperature_celsius=None if bare else f"{20 + pk % 6}.0",
                    rel_humidity_percent=None if bare else 40 + pk % 3 * 10,
                    measurement_status="M",
                )
            )
    out[-1]["fields"].update(
        co2_ppm=740, temperature_celsius="23.0", rel_humidity_percent=60
    )
    return out


#: file name -> the records it holds, in Managair's load order.
FILES: dict[str, Callable[[], list[Fixture]]] = {
    USERS_FILE: user_records,
    INVENTORY_FILE: inventory_records,
    DATA_FILE: sample_records,
}


def write_world(folder: Path) -> dict[str, Path]:
    """Write the three fixture files into ``folder``; returns their paths by name."""
    paths = {}
    for name, records in FILES.items():
        path = folder / name
        path.write_text(json.dumps(records(), indent=1), encoding="utf-8")
        paths[name] = path
    return paths


_VERBS = ("add", "change", "delete", "view")


def _salt(username: str) -> str:
    # Django salts are 12 letters and digits; these stay the same on every run.
    return hashlib.sha256(username.encode()).hexdigest()[:12]


def _tenancy() -> Iterator[Fixture]:
    yield record("core.organization", 1, name="Test-Team", description="")
    yield record("core.organization", 2, name="Versuchsverbund", description="")
    yield record(
        "core.organization",
        3,
        name="HPI School of Entrepreneurship",
        description="Alle Gründungsangebote des HPI unter einem Dach.",
    )
    for pk, user, organization, role in MEMBERSHIPS:
        yield record(
            "core.membership", pk, role=role, user=user, organization=organization
        )


def _catalogue() -> Iterator[Fixture]:
    # the demo data set copied Managair's catalogue
    for pk, (quantity, unit) in enumerate(demo.QUANTITIES, start=1):
        yield record("core.quantity", pk, quantity=quantity, base_unit=unit)
    for pk, identifier in enumerate(demo.PROTOCOLS, start=1):
        yield record(
            "core.nodeprotocol",
            pk,
            identifier=identifier,
            num_uplink_msgs=1,
            num_downlink_msgs=0,
        )
    for pk, (name, trade_name, maker, sensor, _) in enumerate(demo.MODELS, start=1):
        yield record(
            "core.nodemodel",
            pk,
            name=name,
            trade_name=trade_name,
            manufacturer=maker,
            sensor_type=sensor,
            quantities=[1, 2, 3],
        )


def _places() -> Iterator[Fixture]:
    addresses = (
        ("Teststraße 1", None, "12345", "Teststadt"),
        ("Versuchsweg 7", None, "98765", "Versuchsdorf"),
        ("Prüfplatz 37", None, "88888", "Prüfburg"),
        ("Rudolf-Breitscheid-Str. 189", "HPI Campus III", "14482", "Potsdam"),
    )
    for pk, (street1, street2, zip_code, city) in enumerate(addresses, start=1):
        yield record(
            "core.address",
            pk,
            street1=street1,
            street2=street2,
            zip=zip_code,
            city=city,
        )
    sites = (
        ("Test-Site", 1),
        ("Versuchs-Site", 2),
        ("Prüf-Site", 2),
        ("HPI School of Entrepreneurship", 3),
    )
    for pk, (name, operator) in enumerate(sites, start=1):
        yield record(
            "core.site", pk, name=name, description="", address=pk, operator=operator
        )
    rooms = (
        ("Testraum 1", "147.0", "4.8", 11, 1),
        ("Testraum 2", "43.0", "3.1", 8, 1),
        ("Versuchsraum 1", "33.0", "2.5", 17, 2),
        ("Prüfstube", "19.0", "2.6", 4, 3),
    )
    for pk, (name, size, height, occupancy, site) in enumerate(rooms, start=1):
        yield record(
            "core.room",
            pk,
            name=name,
            description="",
            size_sqm=size,
            height_m=height,
            max_occupancy=occupancy,
            site=site,
        )


def _nodes() -> Iterator[Fixture]:
    nodes = [
        (SCHWARZ, "003CB7EA62A7DCBB", "Clairchen Schwarz", 1, 2),
        (ERS, "A81758FFFE052B0F", "ERS Test-Node", 2, 2),
        (ROT, "9876B600001193E0", "Clairchen Rot", 1, 1),
    ]
    nodes += [(hpi_node_id(eui), eui, f"hpi-{eui}", 2, 3) for eui in HPI_EUIS]
    for pk, eui, alias, kind, owner in nodes:
        yield record(
            "core.node",
            pk,
            eui64=eui,
            alias=alias,
            protocol=kind,
            model=kind,
            owner=owner,
        )


def hpi_node_id(eui: str) -> str:
    """The node id of one HPI node (Managair made them random; these stay put)."""
    digest = hashlib.sha256(eui.encode()).hexdigest()
    return (
        f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"
    )


def _installations() -> Iterator[Fixture]:
    # an open private one, an ended private one, and an open public one after it
    spans = (
        (ROT, 2, 1600300800, OPEN_END_S, "", False),
        (SCHWARZ, 3, 1601510400, 1602720000, "", False),
        (SCHWARZ, 4, 1602720001, OPEN_END_S, "öffentlich zugänglich", True),
    )
    for pk, (node, room, start, end, description, public) in enumerate(spans, 1):
        yield record(
            "core.roomnodeinstallation",
            pk,
            node=node,
            room=room,
            from_timestamp_s=start,
            to_timestamp_s=end,
            description=description,
            is_public=public,
            image="",
        )


def _run(first: int, step: int, count: int) -> list[int]:
    return [first + i * step for i in range(count)]


def _ers_times() -> list[int]:
    # one sample on New Year's Day, then 964 every five minutes in late October
    return [1577880000, *_run(1603291980, 300, 964)]


def _rot_times() -> list[int]:
    return _run(1601653680, 178, 2301)


def _schwarz() -> list[int]:
    """589 times: 468 in installation 2 (in four runs), 121 in installation 3."""
    return [
        *_run(1601653395, 700, 103),  # the last 71 from 1601675365 on
        *_run(1601739000, 1400, 39),  # after 1601738613, up to 1601795400
        *_run(1601796000, 2700, 326),  # until installation 2 ends
        *_run(1602741327, 7000, 121),  # in installation 3, up to 1603581327
    ]
