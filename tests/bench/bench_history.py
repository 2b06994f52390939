"""History-scale benchmark: every read endpoint at 30 days, 1 year and 3 years of data.

``run(report, quick)`` builds one throwaway database per size, each with 100 publicly
installed nodes, and fills it backwards in time through the batch ingest (CSV over
HTTP, as a deployment back-fills history) with the newest 30 days, 1 year or 3 years
of 5-minute samples (about 31.5 M rows). The ingest rate is reported per segment as
the table grows. After loading, the aggregates are refreshed and the jobs process's
work is done as a running deployment would have it (fidelity, the rooms' completed
days).

Then every size is served at once (gunicorn with ``make bench``'s server settings,
``harness.serve``, one server per size) and every read endpoint of issue 16 is timed
over HTTP: the median of several requests, its target, and its ratio to the 30-day
median (at most 1.5). Beyond the endpoints issue 16 names, every other read of samples
or their aggregates is timed too (details, series, the Managair samples, the
dashboard's pages, the back office's). The sizes are measured interleaved, request by
request: this machine is a shared virtual machine whose speed changes by up to 2x for
minutes (the hypervisor's stolen CPU time), and measured one after the other, one size
would get the slow minutes and look like growth with history. The machine's load
average and the CPU time stolen while measuring are recorded.

Last, the batch ingest into the 3-year table and into an empty one is measured the
same way, side by side: its rate into the full table must be at least 0.7x the rate
into the empty one.

(One database grown from size to size and copied at each, ``CREATE DATABASE ...
TEMPLATE``, would load less, but TimescaleDB restarts the template's scheduler for
the copy, and the new scheduler connecting while PostgreSQL waits for the template
to be free fails the copy now and then.)

Full size takes up to about 30 minutes. ``quick`` (or ``BENCH_HISTORY_NODES`` and
``BENCH_HISTORY_DAYS``, e.g. ``10`` and ``3,12,36``) shrinks it to about a minute.

Run alone: ``python -m tests.bench --only history [--quick] --report h.json``.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx

import psycopg

from app import create_app
from app.extensions import db
from app.jobs import tasks
from app.models import Organization, Role
from app.services.accounts.tokens import issue_ingest_token, issue_user_key
from tests.bench import bench_series, harness
from tests.factories import DEFAULT_PASSWORD, make_membership, make_user
from tests.support.accounts import CSRF_FIELD, form_token
from tests.support.database import throwaway_database

STEP_S = 300
BATCH_TIMESTAMPS = 500  # x nodes rows per CSV batch, at most BATCH_ROWS
#: About 3.5 MB of CSV: well within the ingest's record cap and, uncompressed, its
#: ``MAX_REQUEST_BYTES`` (10 MB by default).
BATCH_ROWS = 50_000
BATCH_CLIENTS = 2
SEGMENT_BATCHES = 20
RATIO_MAX = 1.5
INGEST_RATIO_MIN = 0.7
#: Turns of the side-by-side ingest comparison (2 batches into each table a turn).
INGEST_TURNS = 8
LIST_MS = 30.0
DETAIL_MS = 30.0
OTHER_MS = 50.0
#: The dashboard's pages with a card (or a chart) for each of the 100 rooms; issue 16
#: names no target for them.
ROOM_PAGES_MS = 100.0
PREFIX = "co2_bench_history"

T = TypeVar("T")


@dataclass(frozen=True)
class Plan:
    """How big: nodes, the sizes in days (smallest first), requests per endpoint."""

    nodes: int
    days: tuple[int, ...]
    repeats: int

    @classmethod
    def make(cls, quick: bool) -> Plan:
        """The full plan, the quick one, or what the environment asks for."""
        nodes, repeats = (10, 7) if quick else (100, 31)
        days: tuple[int, ...] = (3, 12, 36) if quick else (30, 365, 1095)
        if os.environ.get("BENCH_HISTORY_NODES"):
            nodes = int(os.environ["BENCH_HISTORY_NODES"])
        if os.environ.get("BENCH_HISTORY_DAYS"):
            days = tuple(int(d) for d in os.environ["BENCH_HISTORY_DAYS"].split(","))
        return cls(nodes, tuple(sorted(days)), repeats)


@dataclass(frozen=True)
class Clients:
    """Credentials: the ingest token, a member's API key and log-in (for the
    dashboard's pages), a staff user's log-in (for the back office)."""

    ingest_key: str
    api_key: str
    staff_login: str
    member_login: str


@dataclass(frozen=True)
class Database:
    """A bench database: the inventory of :func:`bench_series._inventory` (organization
    1, site 1, installation and room n of node n) and the credentials."""

    url: str
    clients: Clients
    installations: list[tuple[int, str]]

    @property
    def dsn(self) -> str:
        return harness.libpq(self.url)

    @property
    def nodes(self) -> list[str]:
        return [node for _, node in self.installations]


def _inventoried(stack: ExitStack, nodes: int, installed: datetime) -> Database:
    """A throwaway database (dropped when ``stack`` closes), migrated, with ``nodes``
    nodes installed since ``installed`` and the bench's accounts."""
    url = stack.enter_context(throwaway_database(prefix=PREFIX))
    bench_series._migrate(url)
    installations = bench_series._inventory(harness.libpq(url), nodes, installed)
    return Database(url, _accounts(url), installations)


def run(report: dict[str, Any], quick: bool) -> None:
    """Load each size into a database of its own, measure the sizes interleaved, and
    add ``report["history"]``."""
    plan = Plan.make(quick)
    end = datetime.fromtimestamp(
        time.time() // STEP_S * STEP_S - STEP_S, UTC
    )  # the newest sample
    first = end - timedelta(days=plan.days[-1])
    segments: dict[int, list[dict[str, Any]]] = {}
    sizes: dict[int, dict[str, Any]] = {}
    with ExitStack() as kept:
        bases: dict[int, Database] = {}
        for days in plan.days:
            bases[days] = base = _inventoried(kept, plan.nodes, first)
            start = end - timedelta(days=days) + timedelta(seconds=STEP_S)
            with harness.serve(base.url) as port:
                segments[days] = _load(
                    port,
                    base.clients.ingest_key,
                    base.nodes,
                    start,
                    end + timedelta(seconds=STEP_S),
                )
            refresh_s = _refresh(base.dsn) + _run_jobs(base.url)
            sizes[days] = {"rows": _rows(base.dsn), "refresh_s": round(refresh_s, 1)}
        with ExitStack() as servers:
            ports = {
                days: servers.enter_context(harness.serve(base.url))
                for days, base in bases.items()
            }
            before, began = _cpu_times(), time.perf_counter()
            endpoints = _measure(ports, bases, end, plan.repeats)
            measuring = {
                "minutes": round((time.perf_counter() - began) / 60, 1),
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "cpu_steal_percent": _steal_percent(before, _cpu_times()),
            }
        for days, size in sizes.items():
            size["endpoints"] = endpoints[days]
        empty = _inventoried(kept, plan.nodes, first)
        ingest = _ingest_side_by_side(bases[plan.days[-1]], empty, first, end)
    report["history"] = _report(plan, segments, sizes, measuring, ingest)


# -- set-up ----------------------------------------------------------------------------


def _accounts(url: str) -> Clients:
    """An ingest token, an inspector's API key, and a staff user (all of the org)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        session = db.session()
        org = session.query(Organization).one()
        member = make_user(session)
        make_membership(session, member, org, Role.INSPECTOR)
        staff = make_user(session, is_staff=True)
        clients = Clients(
            ingest_key=issue_ingest_token(session, org.id, "bench").key,
            api_key=issue_user_key(session, member, name="bench").key,
            staff_login=staff.username,
            member_login=member.username,
        )
        session.commit()
        db.session.remove()
        db.engine.dispose()
    return clients


def _co2(moment_s: int, node: int) -> int:
    """A room's CO2: outdoor level at night, a bump while occupied, a little jitter."""
    hour = (moment_s % 86400) / 3600
    occupied = max(0.0, math.sin(math.pi * (hour - 7) / 10))
    return int(440 + 500 * occupied + (moment_s // STEP_S * 7919 + node * 31) % 23)


def _body(nodes: list[str], first_s: int, stop_s: int) -> bytes:
    lines = ["node_id,timestamp_s,co2_ppm,temperature_celsius,rel_humidity_percent"]
    for moment in range(first_s, stop_s, STEP_S):
        temperature = 20 + (moment // 3600) % 6 / 2
        for index, node in enumerate(nodes):
            lines.append(
                f"{node},{moment},{_co2(moment, index)},{temperature:.1f},"
                f"{40 + (moment // 1800 + index) % 15}"
            )
    return ("\n".join(lines) + "\n").encode()


def _load(
    port: int,
    key: str,
    nodes: list[str],
    start: datetime,
    stop: datetime,
) -> list[dict[str, Any]]:
    """Ingest ``[start, stop)`` for every node, newest batches first, in segments of
    :data:`SEGMENT_BATCHES` batches; return each segment's rate."""
    span = _span(len(nodes))
    first_s, stop_s = int(start.timestamp()), int(stop.timestamp())
    ranges = [
        (max(first_s, upper - span), upper) for upper in range(stop_s, first_s, -span)
    ]
    out = []
    # The first batch warms the server and its connections up, untimed: into the
    # empty table, the rate is the next segment's.
    harness.parallel(ranges[:1], 1, _poster(port, key, nodes, []))
    ranges = ranges[1:]
    for at in range(0, len(ranges), SEGMENT_BATCHES):
        work = ranges[at : at + SEGMENT_BATCHES]
        stored: list[int] = []
        job = _poster(port, key, nodes, stored)
        seconds = harness.parallel(work, BATCH_CLIENTS, job)
        out.append(
            {
                "oldest": datetime.fromtimestamp(work[-1][0], UTC).isoformat(),
                "rows": sum(stored),
                "samples_per_s": round(sum(stored) / seconds),
            }
        )
    return out


def _span(nodes: int) -> int:
    """Seconds of history per batch: :data:`BATCH_TIMESTAMPS` steps, fewer for so
    many nodes that the batch would pass :data:`BATCH_ROWS`."""
    return max(1, min(BATCH_TIMESTAMPS, BATCH_ROWS // nodes)) * STEP_S


def _poster(port: int, key: str, nodes: list[str], stored: list[int]) -> Any:
    """A ``harness.parallel`` job posting its share of ``(first_s, stop_s)`` batches
    and adding what each stored to ``stored``."""
    headers = {"Authorization": f"Token {key}", "Content-Type": "text/csv"}

    def job(_: int, mine: list[tuple[int, int]]) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as http:
            for lo, hi in mine:
                answer = http.post(
                    "/ingest/v1/samples/", content=_body(nodes, lo, hi), headers=headers
                )
                meta = answer.json().get("meta") if answer.content else None
                if meta is None:
                    raise RuntimeError(
                        f"batch answered {answer.status_code}: {answer.text[:300]}"
                    )
                expected = len(nodes) * len(range(lo, hi, STEP_S))
                if answer.status_code != 200 or meta["stored"] != expected:
                    raise RuntimeError(f"batch answered {answer.status_code}: {meta}")
                stored.append(meta["stored"])

    return job


def _ingest_side_by_side(
    full: Database, empty: Database, oldest: datetime, newest: datetime
) -> dict[str, Any]:
    """The batch ingest's rate into the largest table and into an empty one, measured
    in the same minutes: turns of :data:`BATCH_CLIENTS` batches, alternating between
    the two databases (the order rotating), each continuing its own history backwards
    (the empty one from the newest sample, the full one from its oldest). Growing
    a table, the segments' rates vary by 1.6x with the machine's speed whatever the
    table's size; side by side, a slow minute slows both alike."""
    span = _span(len(full.nodes))
    sides = {
        "empty": (empty, int(newest.timestamp()) + STEP_S),
        "full": (full, int(oldest.timestamp())),
    }
    full_rows = _rows(full.dsn)
    rows = dict.fromkeys(sides, 0)
    seconds = dict.fromkeys(sides, 0.0)
    with ExitStack() as servers:
        posters = {}
        for side, (base, stop_s) in sides.items():
            port = servers.enter_context(harness.serve(base.url))
            key, nodes = base.clients.ingest_key, base.nodes
            # Each side's batches, newest first; the first one untimed, to warm up.
            batches = [
                (upper - span, upper)
                for upper in range(
                    stop_s, stop_s - span * (BATCH_CLIENTS * INGEST_TURNS + 1), -span
                )
            ]
            harness.parallel(batches[:1], 1, _poster(port, key, nodes, []))
            posters[side] = (port, key, nodes, batches[1:])
        for turn in range(INGEST_TURNS):
            for side in _rotated(list(sides), turn):
                port, key, nodes, batches = posters[side]
                stored: list[int] = []
                job = _poster(port, key, nodes, stored)
                work = batches[BATCH_CLIENTS * turn : BATCH_CLIENTS * (turn + 1)]
                seconds[side] += harness.parallel(work, BATCH_CLIENTS, job)
                rows[side] += sum(stored)
    return {
        "turns": INGEST_TURNS,
        "rows_each": rows["empty"],
        "empty_samples_per_s": round(rows["empty"] / seconds["empty"]),
        "full_samples_per_s": round(rows["full"] / seconds["full"]),
        "full_table_rows": full_rows,
    }


def _rotated(items: list[T], turn: int) -> list[T]:
    """``items`` in the order of round ``turn``: each round starts one further on, so
    no database is always asked first (or right after the same other one)."""
    at = turn % len(items)
    return items[at:] + items[:at]


def _refresh(dsn: str) -> float:
    """Bring the rollups up to date (the back-filled history is all late samples)."""
    began = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT dirty_left, watermark_after >= target FROM series_refresh("
                "NULL, NULL, 1000000)"
            ).fetchone()
            if row is None or (row[0] == 0 and row[1]):
                break
        conn.execute(
            "VACUUM ANALYZE samples, samples_10m, samples_1h, samples_1d, samples_1d_local"
        )
    return time.perf_counter() - began


def _run_jobs(url: str) -> float:
    """Do what the jobs process would have done by now: the nodes' fidelity, and
    each room's completed days (``room_air_days``; the dashboard's pages compute
    only the days it has not written yet)."""
    began = time.perf_counter()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        session = db.session()
        tasks.check_fidelity(session)
        session.commit()
        while tasks.roll_up_room_days(session)["days_left"]:
            session.commit()
        session.commit()
        db.session.remove()
        db.engine.dispose()
    return time.perf_counter() - began


def _cpu_times() -> list[int]:
    """The machine's CPU times (``/proc/stat``; empty where there is none)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            return [int(x) for x in stat.readline().split()[1:]]
    except OSError:
        return []


def _steal_percent(before: list[int], after: list[int]) -> float | None:
    """The share of CPU time the hypervisor gave other machines while measuring: on
    a shared virtual machine it slows every request alike, whatever the history."""
    if len(before) < 8 or len(after) < 8:
        return None
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return round(100 * spent[7] / max(1, sum(spent[:8])), 1)


def _rows(dsn: str) -> int:
    return int(bench_series._scalar(dsn, "SELECT count(*) FROM samples"))


# -- measurements ----------------------------------------------------------------------


def _paths(
    installations: list[tuple[int, str]], nodes: list[str], end: datetime, days: int
) -> dict[str, tuple[str, float]]:
    """Endpoint name -> (path, target ms)."""
    pk, node = installations[0][0], nodes[0]
    to = int(end.timestamp()) + 1
    day = f"filter[from]={to - 86400}&filter[to]={to}"
    month = f"filter[from]={to - 30 * 86400}&filter[to]={to}"
    everything = f"filter[from]={to - days * 86400}&filter[to]={to}"
    room = _room_of(pk)
    year_month = f"{end.year:04d}-{end.month:02d}"
    return {
        "nodes list (100)": ("/api/v1/nodes/?page[size]=100", LIST_MS),
        "installations list (100)": ("/api/v1/installations/?page[size]=100", LIST_MS),
        "installation detail, 30 days of samples": (
            f"/api/v1/installations/{pk}/?include_timeseries=1&{month}",
            DETAIL_MS,
        ),
        "rooms": ("/api/v1/rooms/?page[size]=100", OTHER_MS),
        "sites": ("/api/v1/sites/", OTHER_MS),
        "organizations": ("/api/v1/organizations/", OTHER_MS),
        "fidelity": ("/api/v1/fidelity/?page[size]=100", OTHER_MS),
        "node-timeseries (Managair)": (
            "/api/v1/node-timeseries/?page[size]=100",
            OTHER_MS,
        ),
        "installation-timeseries (Managair)": (
            "/api/v1/installation-timeseries/?page[size]=100",
            OTHER_MS,
        ),
        "series resolution=auto, all history": (
            f"/api/v1/installations/{pk}/series/?{everything}",
            OTHER_MS,
        ),
        "air quality": (f"/api/v1/rooms/{room}/airquality/", OTHER_MS),
        "admin node list": ("/admin/node/", OTHER_MS),
        "admin installation list": ("/admin/installation/", OTHER_MS),
        "admin sample list": ("/admin/sample/", OTHER_MS),
        # Without a node filter the page lists none (a list across nodes would sort
        # whole chunks); with one it shows that node's newest samples.
        "admin sample list, one node": (f"/admin/sample/?flt0_0={node}", OTHER_MS),
        "admin node plot": (f"/admin/plots/node/{node}/", OTHER_MS),
        "admin installation plot": (f"/admin/plots/installation/{pk}/", OTHER_MS),
        # Beyond issue 16's list: every other read that touches samples or their
        # aggregates, so a cost growing with history shows wherever it is.
        "node detail": (f"/api/v1/nodes/{node}/", OTHER_MS),
        "installation detail": (f"/api/v1/installations/{pk}/", OTHER_MS),
        "room detail": (f"/api/v1/rooms/{room}/", OTHER_MS),
        "node installations": (f"/api/v1/nodes/{node}/installations/", OTHER_MS),
        "site rooms": (f"/api/v1/sites/{_SITE}/rooms/", OTHER_MS),
        "organization nodes": (f"/api/v1/organizations/{_ORG}/nodes/", OTHER_MS),
        "node series, a day": (f"/api/v1/nodes/{node}/series/?{day}", OTHER_MS),
        "node series resolution=auto, all history": (
            f"/api/v1/nodes/{node}/series/?{everything}",
            OTHER_MS,
        ),
        "room series, 30 days": (f"/api/v1/rooms/{room}/series/?{month}", OTHER_MS),
        "node samples, a day (Managair)": (
            f"/api/v1/nodes/{node}/timeseries/?{day}",
            OTHER_MS,
        ),
        "installation samples, a day (Managair)": (
            f"/api/v1/installations/{pk}/timeseries/?{day}",
            OTHER_MS,
        ),
        "node-timeseries item, a day (Managair)": (
            f"/api/v1/node-timeseries/{node}/?{day}",
            OTHER_MS,
        ),
        "installation-timeseries item, a day (Managair)": (
            f"/api/v1/installation-timeseries/{pk}/?{day}",
            OTHER_MS,
        ),
        "fidelity of a node": (f"/api/v1/fidelity/{node}/", OTHER_MS),
        "air quality of this month": (
            f"/api/v1/rooms/{room}/airquality/{year_month}",
            OTHER_MS,
        ),
        "alerts": ("/api/v1/alerts/", OTHER_MS),
        "dashboard overview": (f"/dashboard/organizations/{_ORG}/", ROOM_PAGES_MS),
        "dashboard room": (f"/dashboard/rooms/{room}/", OTHER_MS),
        "dashboard installation": (f"/dashboard/installations/{pk}/", OTHER_MS),
        "dashboard node": (f"/dashboard/nodes/{node}/", OTHER_MS),
        "dashboard public site": (f"/dashboard/public/sites/{_SITE}/", ROOM_PAGES_MS),
        "dashboard public room": (f"/dashboard/public/rooms/{room}/", OTHER_MS),
        "admin liveness": ("/admin/liveness/", OTHER_MS),
        "admin fidelity list": ("/admin/fidelity/", OTHER_MS),
        "admin node details": (f"/admin/node/details/?id={node}", OTHER_MS),
        "admin installation details": (
            f"/admin/installation/details/?id={pk}",
            OTHER_MS,
        ),
        "admin room list": ("/admin/room/", OTHER_MS),
        "admin alerts": ("/admin/alerts/", OTHER_MS),
        "admin plots": ("/admin/plots/", OTHER_MS),
        "admin jobs": ("/admin/jobs/", OTHER_MS),
        "room installations": (f"/api/v1/rooms/{room}/installations/", OTHER_MS),
        "site detail": (f"/api/v1/sites/{_SITE}/", OTHER_MS),
        "organization detail": (f"/api/v1/organizations/{_ORG}/", OTHER_MS),
        "organization sites": (f"/api/v1/organizations/{_ORG}/sites/", OTHER_MS),
        "dashboard public installation": (
            f"/dashboard/public/installations/{pk}/",
            OTHER_MS,
        ),
        "dashboard embedded room": (f"/dashboard/embed/rooms/{room}/", OTHER_MS),
        "dashboard embedded installation": (
            f"/dashboard/embed/installations/{pk}/",
            OTHER_MS,
        ),
        "dashboard embedded site": (f"/dashboard/embed/sites/{_SITE}/", ROOM_PAGES_MS),
        "dashboard managing an organization": (
            f"/dashboard/manage/{_ORG}/",
            OTHER_MS,
        ),
    }


#: The bench's one organization and site (``bench_series._inventory``, first rows).
_ORG = _SITE = 1


def _room_of(pk: int) -> int:
    """Installation n sits in room n (``bench_series._inventory``)."""
    return pk


def _signed_in(base: str, login: str) -> httpx.Cookies:
    """The session cookies of ``login`` signed in through the log-in form."""
    with httpx.Client(base_url=base, timeout=60) as http:
        page = http.get("/accounts/login/")
        http.post(
            "/accounts/login/",
            data={
                CSRF_FIELD: form_token(page.text),
                "login": login,
                "password": DEFAULT_PASSWORD,
            },
        )
        return http.cookies


def _browsers(stack: ExitStack, port: int, clients: Clients) -> dict[str, httpx.Client]:
    """The clients of one server, by the path's first segment: the back office's
    staff user and the dashboard's member signed in, the API's member with a key."""
    base = f"http://127.0.0.1:{port}"
    api = {"Authorization": f"Token {clients.api_key}"}
    staff = _signed_in(base, clients.staff_login)
    member = _signed_in(base, clients.member_login)
    return {
        "/api/": stack.enter_context(httpx.Client(base_url=base, headers=api)),
        "/admin/": stack.enter_context(httpx.Client(base_url=base, cookies=staff)),
        "/dashboard/": stack.enter_context(httpx.Client(base_url=base, cookies=member)),
    }


def _measure(
    ports: dict[int, int],
    bases: dict[int, Database],
    end: datetime,
    repeats: int,
) -> dict[int, dict[str, dict[str, Any]]]:
    """Median HTTP time of every endpoint at every size (days -> name -> figures).

    The sizes are measured interleaved: each round asks every size once, in an order
    that rotates from round to round, so a minute in which the shared machine is slow
    slows every size alike instead of one. Statuses other than 200 are recorded.
    """
    sizes = list(ports)
    paths = {
        days: _paths(bases[days].installations, bases[days].nodes, end, days)
        for days in sizes
    }
    out: dict[int, dict[str, dict[str, Any]]] = {days: {} for days in sizes}
    with ExitStack() as stack:
        browsers = {
            days: _browsers(stack, ports[days], bases[days].clients) for days in sizes
        }

        def get(days: int, name: str) -> tuple[httpx.Response, float]:
            path = paths[days][name][0]
            http = browsers[days][path[: path.find("/", 1) + 1]]
            began = time.perf_counter()
            answer = http.get(path, timeout=120)
            return answer, (time.perf_counter() - began) * 1000

        for name in paths[sizes[0]]:
            first = {days: get(days, name)[0] for days in sizes}
            for days in sizes:
                get(days, name)  # warm
            times: dict[int, list[float]] = {days: [] for days in sizes}
            for turn in range(repeats):
                for days in _rotated(sizes, turn):
                    times[days].append(get(days, name)[1])
            for days in sizes:
                path, target = paths[days][name]
                median = round(statistics.median(times[days]), 2)
                out[days][name] = {
                    "path": path,
                    "status": first[days].status_code,
                    "bytes": len(first[days].content),
                    "median_ms": median,
                    "target_ms": target,
                    "met": first[days].status_code == 200 and median <= target,
                }
    return out


def _report(
    plan: Plan,
    segments: dict[int, list[dict[str, Any]]],
    sizes: dict[int, dict[str, Any]],
    measuring: dict[str, Any],
    ingest: dict[str, Any],
) -> dict[str, Any]:
    growing = segments[plan.days[-1]]  # the largest table, from empty to full
    first_rate = growing[0]["samples_per_s"]
    # The last segment may be a short tail (24,000 rows after 1,000,000-row
    # segments): too few batches to keep both clients busy, so its rate says nothing
    # about the table's size. Compare segments of at least half the usual size.
    usual = max(s["rows"] for s in growing)
    full = [s["samples_per_s"] for s in growing if s["rows"] >= usual // 2]
    ratio = ingest["full_samples_per_s"] / ingest["empty_samples_per_s"]
    figures: list[dict[str, Any]] = [
        {
            "name": "batch ingest into the largest table / into an empty table",
            "value": round(ratio, 2),
            "unit": "ratio",
            "target": f">= {INGEST_RATIO_MIN}",
            "met": ratio >= INGEST_RATIO_MIN,
            "reference": (
                f"side by side, {ingest['rows_each']:,} samples each: "
                f"{ingest['full_samples_per_s']:,} samples/s into "
                f"{ingest['full_table_rows']:,} rows, "
                f"{ingest['empty_samples_per_s']:,} into an empty table"
            ),
        },
        {
            "name": "batch ingest while growing: segments / the first",
            "value": (
                f"{min(full) / first_rate:.2f}-{max(full) / first_rate:.2f} "
                f"(median {statistics.median(full) / first_rate:.2f})"
            ),
            "unit": "ratio",
            "reference": (
                f"first {first_rate:,} samples/s; one after the other, so the "
                "machine's speed varies them"
            ),
        },
    ]
    base = sizes[plan.days[0]]["endpoints"]
    for days, size in sizes.items():
        for name, figure in size["endpoints"].items():
            ratio = figure["median_ms"] / base[name]["median_ms"]
            figure["ratio_to_smallest"] = round(ratio, 2)
            figures.append(
                {
                    "name": f"{name} @ {days} d",
                    "value": figure["median_ms"],
                    "unit": "ms",
                    "target": f"<= {figure['target_ms']:g}",
                    "met": figure["met"],
                    "reference": f"HTTP {figure['status']}",
                }
            )
            if days != plan.days[0]:
                figures.append(
                    {
                        "name": f"{name} {days} d / {plan.days[0]} d",
                        "value": round(ratio, 2),
                        "unit": "ratio",
                        "target": f"<= {RATIO_MAX}",
                        "met": ratio <= RATIO_MAX,
                    }
                )
    return {
        "figures": figures,
        "setup": {
            "nodes": plan.nodes,
            "days": list(plan.days),
            "repeats": plan.repeats,
            "batch_rows": plan.nodes * BATCH_TIMESTAMPS,
            "batch_clients": BATCH_CLIENTS,
            "server": harness.server_description(),
        },
        "ingest_segments": {str(days): rates for days, rates in segments.items()},
        "ingest_side_by_side": ingest,
        "measuring": measuring,
        "sizes": {str(days): size for days, size in sizes.items()},
    }
