"""Delivering the outbox to fake platforms on loopback: exactly once, only public data."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from werkzeug import Request, Response

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.models import Installation, Node, OutboxEntry, PublisherRegistration
from app.models.types import utcnow
from app.services.access import SYSTEM
from app.services.outbox import admin, publishers
from app.services.outbox.delivery import DeliveryResult, DeliverySettings, deliver
from app.services.outbox.enqueue import enqueue_stored
from tests.factories import (
    T0,
    make_installation,
    make_node,
    make_organization,
    make_room,
    make_samples,
    make_site,
)
from tests.support.platforms import DrippingServer, Platforms, Trouble

ALL = ("stadtpuls", "opensensemap", "webhook")
SETTINGS = DeliverySettings(
    batch_size=1000, max_attempts=5, backoff_s=1, backoff_max_s=10
)


@pytest.fixture(scope="module")
def platform_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def platforms(platform_server: HTTPServer) -> Iterator[Platforms]:
    platform_server.clear()
    fake = Platforms(platform_server)
    fake.install()
    yield fake
    fake.reset()
    platform_server.check_assertions()
    platform_server.check_handler_errors()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with publishers.http_client(0.3) as http:
        yield http


@dataclass
class World:
    """Two public installations, a private one and a node installed nowhere."""

    public: list[Installation]
    nodes: dict[str, Node]
    public_samples: set[tuple[str, int]]


def _stage_all(session: Session) -> None:
    session.execute(
        text(
            "CREATE TEMP TABLE stored ON COMMIT DROP AS "
            "SELECT node_id, time FROM samples"
        )
    )


@pytest.fixture
def world(session: Session) -> World:
    org = make_organization(session)
    site = make_site(session, operator=org, description="Erdgeschoss")
    rooms = [make_room(session, site=site, size_sqm=19, height_m=2.6) for _ in range(3)]
    nodes = {name: make_node(session, owner=org) for name in ("p1", "p2", "q", "loose")}
    start = T0 + timedelta(days=1)
    public = [
        make_installation(
            session, node=nodes["p1"], room=rooms[0], from_time=start, is_public=True
        ),
        make_installation(
            session, node=nodes["p2"], room=rooms[1], from_time=start, is_public=True
        ),
    ]
    make_installation(session, node=nodes["q"], room=rooms[2], from_time=start)
    inside = make_samples(session, nodes["p1"], start=start, count=3)
    inside += make_samples(session, nodes["p2"], start=start, count=2)
    make_samples(session, nodes["p1"], start=start - timedelta(hours=1), count=2)
    make_samples(session, nodes["q"], start=start, count=2)
    make_samples(session, nodes["loose"], start=start, count=2)
    _stage_all(session)
    enqueue_stored(session, "stored", ALL)
    public_samples = {(str(s.node_id), int(s.time.timestamp())) for s in inside}
    return World(public, nodes, public_samples)


def _publishers(fake: Platforms, client: httpx.Client, *names: str) -> list[Any]:
    return publishers.build(names or ALL, fake.settings(), client)


def _rounds(session: Session, pubs: list[Any], rounds: int = 6) -> list[DeliveryResult]:
    """Deliver ``rounds`` times, each a day later, so every back-off has passed."""
    return [
        deliver(session, SYSTEM, pubs, SETTINGS, now=utcnow() + timedelta(days=i))
        for i in range(rounds)
    ]


def _remote(session: Session, publisher: str) -> dict[str, str]:
    """node id -> remote id of the registrations of ``publisher``."""
    rows = session.execute(
        select(Installation.node_id, PublisherRegistration.remote_id)
        .join(Installation, Installation.id == PublisherRegistration.installation_id)
        .where(PublisherRegistration.publisher == publisher)
    )
    return {str(node): remote for node, remote in rows}


def _expected(world: World, remote: dict[str, str]) -> Counter[tuple[str, int]]:
    return Counter((remote[node], ts) for node, ts in world.public_samples)


def test_deliver_every_public_sample_exactly_once_despite_failures_and_a_hang(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    platforms.trouble["stadtpuls"] = Trouble(fail=2)
    platforms.trouble["opensensemap"] = Trouble(hang=1)
    platforms.trouble["webhook"] = Trouble(fail=1, hang=1)

    results = _rounds(session, _publishers(platforms, client))

    assert Counter(platforms.received["webhook"]) == Counter(world.public_samples)
    for name in ("stadtpuls", "opensensemap"):
        expected = _expected(world, _remote(session, name))
        assert Counter(platforms.received[name]) == expected, name
    assert sum(r.delivered for r in results) == 3 * len(world.public_samples)
    assert results[-1].claimed == 0
    assert platforms.errors == []


def test_deliver_never_sends_private_or_uninstalled_samples(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    _rounds(session, _publishers(platforms, client, "webhook"), rounds=1)

    sent_nodes = {node for node, _ in platforms.received["webhook"]}
    assert sent_nodes == {str(world.nodes["p1"].id), str(world.nodes["p2"].id)}
    assert len(platforms.received["webhook"]) == len(world.public_samples)


def test_deliver_registers_each_installation_once(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    platforms.trouble["stadtpuls"] = Trouble(fail=3)

    _rounds(session, _publishers(platforms, client, "stadtpuls"))

    assert len(platforms.registrations["stadtpuls"]) == 2
    assert len(_remote(session, "stadtpuls")) == 2


def test_deliver_hanging_platform_costs_one_timeout_and_defers_the_rest(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    platforms.trouble["webhook"] = Trouble(hang=5)

    started = time.monotonic()
    (result,) = _rounds(session, _publishers(platforms, client, "webhook"), rounds=1)
    elapsed = time.monotonic() - started

    assert elapsed < 1.5
    assert result.failed + result.deferred == len(world.public_samples)
    assert result.failed == 3  # the first installation's rows
    assert result.delivered == 0


@pytest.mark.parametrize("status", [429, 503])
def test_deliver_skips_a_busy_platform_for_the_rest_of_the_run(
    session: Session,
    world: World,
    platforms: Platforms,
    client: httpx.Client,
    status: int,
) -> None:
    calls: list[int] = []

    def busy(request: Request) -> Response:
        calls.append(status)
        return Response("busy", status=status)

    (result,) = _rounds(session, _odd_webhook(platforms, client, busy), rounds=1)

    assert calls == [status]  # not once per installation
    assert (result.failed, result.deferred) == (3, 2)


def test_deliver_backs_off_exponentially(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    platforms.trouble["webhook"] = Trouble(fail=10)
    pubs = _publishers(platforms, client, "webhook")
    now = utcnow() + timedelta(minutes=1)

    deliver(session, SYSTEM, pubs, SETTINGS, now=now)
    first = {
        r.next_attempt_at
        for r in session.scalars(
            select(OutboxEntry).where(OutboxEntry.publisher == "webhook")
        )
    }
    deliver(session, SYSTEM, pubs, SETTINGS, now=now + timedelta(seconds=1))
    session.expire_all()
    second = {
        r.next_attempt_at
        for r in session.scalars(
            select(OutboxEntry).where(OutboxEntry.publisher == "webhook")
        )
    }

    assert first == {now + timedelta(seconds=1)}
    assert second == {now + timedelta(seconds=3)}


def test_deliver_sends_an_installations_samples_in_time_order_after_a_failure(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    platforms.trouble["webhook"] = Trouble(fail=1)  # the first installation's batch
    pubs = _publishers(platforms, client, "webhook")
    now = utcnow() + timedelta(minutes=1)
    deliver(session, SYSTEM, pubs, SETTINGS, now=now)  # p1 fails, waits 1 s
    node = world.nodes["p1"]
    newer = make_samples(
        session, node, start=world.public[0].from_time + timedelta(hours=1), count=1
    )
    session.execute(text("DROP TABLE stored"))
    _stage_all(session)
    enqueue_stored(session, "stored", ["webhook"])

    early = deliver(session, SYSTEM, pubs, SETTINGS, now=now + timedelta(seconds=0.5))
    late = deliver(session, SYSTEM, pubs, SETTINGS, now=now + timedelta(seconds=2))

    assert (early.claimed, early.deferred, early.delivered) == (1, 1, 0)
    assert late.delivered == 4
    p1 = [ts for n, ts in platforms.received["webhook"] if n == str(node.id)]
    assert p1 == sorted(p1)
    assert p1[-1] == int(newer[0].time.timestamp())


def test_deliver_parks_rows_after_max_attempts(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    platforms.trouble["webhook"] = Trouble(fail=100)

    results = _rounds(session, _publishers(platforms, client, "webhook"), rounds=7)

    (status,) = [s for s in admin.status(session, SYSTEM) if s.publisher == "webhook"]
    assert sum(r.parked for r in results) == len(world.public_samples)
    assert (status.delivered, status.pending, status.parked) == (0, 0, 5)
    assert results[-1].claimed == 0


def test_retry_parked_rows_are_delivered_again(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    platforms.trouble["webhook"] = Trouble(fail=5 * 2)
    pubs = _publishers(platforms, client, "webhook")
    _rounds(session, pubs, rounds=5)

    unparked = admin.retry_parked(session, SYSTEM, "webhook")
    _rounds(session, pubs, rounds=1)

    assert unparked == len(world.public_samples)
    assert Counter(platforms.received["webhook"]) == Counter(world.public_samples)


def test_deliver_drops_rows_of_an_installation_made_private(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    world.public[0].is_public = False
    session.flush()

    (result,) = _rounds(session, _publishers(platforms, client, "webhook"), rounds=1)

    assert result.dropped == 3
    assert {n for n, _ in platforms.received["webhook"]} == {str(world.nodes["p2"].id)}


def test_deliver_drops_rows_whose_sample_left_the_public_installation(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    ended, moved = world.public
    start = ended.from_time
    ended.to_time = start + timedelta(minutes=7)  # its third sample is after it now
    make_installation(  # ... and in a private installation
        session, node=world.nodes["p1"], from_time=start + timedelta(minutes=8)
    )
    moved.node_id = world.nodes["loose"].id  # p2's samples are no installation's
    session.flush()

    (result,) = _rounds(session, _publishers(platforms, client, "webhook"), rounds=1)

    p1 = str(world.nodes["p1"].id)
    assert result.dropped == 1 + 2
    assert sorted(platforms.received["webhook"]) == sorted(
        (node, ts)
        for node, ts in world.public_samples
        if node == p1 and ts < int((start + timedelta(minutes=7)).timestamp())
    )


def test_deliver_leaves_rows_of_disabled_publishers_pending(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    _rounds(session, _publishers(platforms, client, "webhook"), rounds=1)

    pending = {s.publisher: s.pending for s in admin.status(session, SYSTEM, ALL)}
    assert pending == {"stadtpuls": 5, "opensensemap": 5, "webhook": 0}


def test_stadtpuls_sensor_is_described_as_the_reference_did(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    _rounds(session, _publishers(platforms, client, "stadtpuls"), rounds=1)

    node = world.nodes["p1"]
    (sensor,) = [
        r
        for r in platforms.registrations["stadtpuls"]
        if r["description_toml"]["id"] == str(node.id)
    ]
    room = world.public[0].room
    assert sensor["name"] == f"{node.alias} in {room.name}"[:50]
    assert sensor["connection_type"] == "http"
    assert sensor["location"] == room.site.address.city
    assert sensor["latitude"] == float(room.site.address.latitude or 0)
    assert sensor["user_id"] == "sp-user-1"
    assert sensor["category_id"] == 1
    assert sensor["description_toml"] == {
        "id": str(node.id),
        "eui64": node.eui64,
        "alias": node.alias,
        "owner": node.owner.name,
        "model": {
            "manufacturer": node.model.manufacturer,
            "type": node.model.trade_name,
        },
        "room": {"name": room.name, "size_sqm": 19.0, "height_m": 2.6},
        "site": {
            "name": room.site.name,
            "description": "Erdgeschoss",
            "street": room.site.address.street1,
            "zip": room.site.address.zip,
            "city": room.site.address.city,
        },
    }


def test_opensensemap_box_has_three_sensors_and_takes_all_values(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    _rounds(session, _publishers(platforms, client, "opensensemap"), rounds=1)

    boxes = platforms.registrations["opensensemap"]
    posts = platforms.registrations["opensensemap-data"]
    assert {b["exposure"] for b in boxes} == {"indoor"}
    assert [s["title"] for s in boxes[0]["sensors"]] == [
        "CO2",
        "Temperature",
        "Relative humidity",
    ]
    values = sorted(m["value"] for p in posts for m in p["m"])
    assert values.count("600") == 5  # CO2
    assert values.count("21.5") == 5  # temperature
    assert values.count("45") == 5  # humidity


def test_opensensemap_without_coordinates_parks_at_once(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    for inst in world.public:
        inst.room.site.address.latitude = None
    session.flush()

    (result,) = _rounds(session, _publishers(platforms, client, "opensensemap"), 1)

    assert result.parked == len(world.public_samples)
    assert platforms.registrations["opensensemap"] == []


def test_enqueue_does_no_network_io_even_when_platforms_hang(
    session: Session, platforms: Platforms
) -> None:
    for name in ALL:
        platforms.trouble[name] = Trouble(hang=100)
    inst = make_installation(session, is_public=True)
    node = session.get(Node, inst.node_id)
    assert node is not None
    make_samples(session, node, count=200)
    _stage_all(session)

    started = time.monotonic()
    written = enqueue_stored(session, "stored", ALL)
    elapsed = time.monotonic() - started

    assert written == 600
    assert elapsed < 0.5
    assert platforms.server.log == []


def _odd_webhook(
    platforms: Platforms, client: httpx.Client, handler: Callable[[Request], Response]
) -> list[Any]:
    """The webhook publisher aimed at ``/odd``, answered by ``handler``."""
    server = platforms.server
    server.expect_request("/odd", method="POST").respond_with_handler(handler)
    settings = {**platforms.settings(), "WEBHOOK_URL": server.url_for("/odd")}
    return publishers.build(("webhook",), settings, client)


def test_deliver_reads_only_the_start_of_a_huge_answer(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    produced: list[int] = []

    def huge(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(64):
                produced.append(1)
                yield b"x" * (1 << 20)

        return Response(body(), status=500)

    (result,) = _rounds(session, _odd_webhook(platforms, client, huge), rounds=1)

    assert result.failed == len(world.public_samples)
    assert len(produced) < 2 * 16  # of 2 * 64 MiB: a megabyte and the buffers each
    errors = set(session.scalars(_webhook_errors))
    assert errors == {f"webhook: {_netloc(platforms)}/odd answered 500: {'x' * 200}"}


def test_deliver_does_not_wait_out_an_answer_that_drips(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    def drip(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(40):  # 4 s, a byte per 0.1 s: no read times out
                time.sleep(0.1)
                yield b"x"

        return Response(body(), status=200)

    started = time.monotonic()
    (result,) = _rounds(session, _odd_webhook(platforms, client, drip), rounds=1)
    elapsed = time.monotonic() - started

    assert elapsed < 2  # two calls of at most about the 0.3 s timeout, not 8 s
    assert result.delivered == len(world.public_samples)  # 2xx: accepted


def test_deliver_does_not_wait_out_headers_that_drip(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    dripping = DrippingServer()  # a header byte per 0.05 s for 5 s
    settings = {**platforms.settings(), "WEBHOOK_URL": dripping.url()}
    pubs = publishers.build(("webhook",), settings, client)

    started = time.monotonic()
    try:
        (result,) = _rounds(session, pubs, rounds=1)
    finally:
        dripping.close()
    elapsed = time.monotonic() - started

    assert elapsed < 1.5  # one call of about the 0.3 s timeout, not 5 s or more
    assert (result.failed, result.deferred) == (3, 2)  # then skipped for the run
    assert dripping.connections == 1
    errors = set(session.scalars(_webhook_errors.where(OutboxEntry.attempts > 0)))
    assert errors == {f"webhook: no answer from 127.0.0.1:{dripping.port} in time"}


def test_deliver_takes_a_2xx_with_an_undecodable_body_as_accepted(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    def bad_gzip(request: Request) -> Response:
        return Response(b"not gzip", status=200, headers={"Content-Encoding": "gzip"})

    (result,) = _rounds(session, _odd_webhook(platforms, client, bad_gzip), rounds=1)

    assert result.delivered == len(world.public_samples)


def test_deliver_says_where_a_redirect_points(
    session: Session, world: World, platforms: Platforms, client: httpx.Client
) -> None:
    def moved(request: Request) -> Response:
        return Response("", status=308, headers={"Location": "https://new.example/"})

    (result,) = _rounds(session, _odd_webhook(platforms, client, moved), rounds=1)

    assert result.failed == len(world.public_samples)
    errors = set(session.scalars(_webhook_errors))
    assert errors == {
        f"webhook: {_netloc(platforms)}/odd answered 308 (a redirect to "
        "https://new.example/, not followed; set the final URL): "
    }


def _odd_opensensemap(
    platforms: Platforms, client: httpx.Client, box_id: Callable[[int], str]
) -> tuple[list[Any], list[str]]:
    """openSenseMap at ``/odd-osem`` whose n-th box gets the id ``box_id(n)``;
    also returns the ids of the boxes it created."""
    server = platforms.server
    created: list[str] = []

    def sign_in(request: Request) -> Response:
        return Response('{"token": "jwt"}', content_type="application/json")

    def box(request: Request) -> Response:
        created.append(box_id(len(created)))
        sensors = [
            {"_id": f"s{i}", "title": title}
            for i, title in enumerate(["CO2", "Temperature", "Relative humidity"])
        ]
        data = {"_id": created[-1], "access_token": "t", "sensors": sensors}
        return Response(json.dumps({"data": data}), status=201)

    routes = {"/odd-osem/users/sign-in": sign_in, "/odd-osem/boxes": box}
    for path, handler in routes.items():
        server.expect_request(path, method="POST").respond_with_handler(handler)
    server.expect_request(
        re.compile(r"^/odd-osem/boxes/[^/]+/data$"), method="POST"
    ).respond_with_response(Response("", status=201))
    settings = {**platforms.settings(), "OSEM_API_URL": server.url_for("/odd-osem")}
    return publishers.build(("opensensemap",), settings, client), created


@pytest.mark.parametrize(
    ("box_id", "parked"),
    [
        pytest.param(lambda n: "box-1", 2, id="an id another installation has"),
        pytest.param(lambda n: f"box-{n}-" + "x" * 100, 5, id="an id too long"),
    ],
)
def test_deliver_parks_an_installation_whose_registration_cannot_be_kept(
    session: Session,
    world: World,
    platforms: Platforms,
    client: httpx.Client,
    box_id: Callable[[int], str],
    parked: int,
) -> None:
    pubs, created = _odd_opensensemap(platforms, client, box_id)

    results = _rounds(session, pubs, rounds=3)

    assert len(created) == 2  # once per installation, not again every run
    assert sum(r.parked for r in results) == parked
    assert sum(r.delivered for r in results) == len(world.public_samples) - parked
    errors = session.scalars(
        select(OutboxEntry.last_error).where(OutboxEntry.parked_at.is_not(None))
    )
    assert all("opensensemap: the platform" in (e or "") for e in errors)


_webhook_errors = select(OutboxEntry.last_error).where(
    OutboxEntry.publisher == "webhook"
)


def _netloc(platforms: Platforms) -> str:
    return f"{platforms.server.host}:{platforms.server.port}"
