"""Managair's test catalogue §13.8 (model rules) on the imported fixtures.

The reference's model tests built their own data; here they run on the imported
world, through the API where one exists and on the database otherwise.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest

from flask.testing import FlaskClient

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Membership, Node, Role, Sample
from app.services.series.epoch import from_epoch
from app.services.series.extent import SeriesSource
from app.services.series.samples import samples_in
from app.services.series.window import ALL_TIME
from tests.api.inventory.conftest import Headers, doc, js
from tests.factories import make_samples

ERS = uuid.UUID("9d02faee-4260-1377-22ec-936428b572ee")
Login = Callable[[str | None], Headers]
DAY_START = from_epoch(1606780800)  # 2020-12-01, after every fixture sample


def test_insert_valid_samples_stores_a_whole_day(managair: Session) -> None:
    node = managair.get(Node, ERS)
    assert node is not None

    make_samples(managair, node, DAY_START, count=160, step=timedelta(minutes=9))

    stored = managair.scalar(
        select(func.count())
        .select_from(Sample)
        .where(Sample.node_id == ERS, Sample.time >= DAY_START)
    )
    assert stored == 160


def test_non_unique_samples_are_refused(managair: Session) -> None:
    node = managair.get(Node, ERS)
    assert node is not None
    make_samples(managair, node, DAY_START, count=1)

    with pytest.raises(IntegrityError):
        make_samples(managair, node, DAY_START, count=1)


def test_samples_come_back_in_ascending_order(managair: Session) -> None:
    node = managair.get(Node, ERS)
    assert node is not None
    samples = samples_in(managair, SeriesSource(ERS, node.owner_id), ALL_TIME)

    times = [s["timestamp_s"] for s in samples]
    assert len(times) == 965
    assert times == sorted(times)


def test_unique_membership_is_enforced(managair: Session) -> None:
    managair.add(Membership(user_id=3, organization_id=2, role=Role.INSPECTOR))

    with pytest.raises(IntegrityError):
        managair.flush()


def test_unique_room_per_site_is_409(mclient: FlaskClient, login: Login) -> None:
    body = doc("Room", {"name": "Versuchsraum 1"}, {"site": ("Site", 2)})

    resp = mclient.post("/api/v1/rooms/", json=body, headers=login("veraVersuch"))

    assert resp.status_code == 409
    assert js(resp)["errors"][0]["source"]["pointer"] == "/data/attributes/name"


def test_valid_public_open_installation_is_stored(
    mclient: FlaskClient, login: Login
) -> None:
    body = doc(
        "Installation",
        {
            "from_timestamp_s": 1500000000,
            "to_timestamp_s": 2147483647,
            "is_public": True,
        },
        {"room": ("Room", 4), "node": ("Node", str(ERS))},
    )

    resp = mclient.post(
        "/api/v1/installations/", json=body, headers=login("veraVersuch")
    )

    assert resp.status_code == 201
    assert js(resp)["data"]["attributes"]["is_public"] is True
    assert js(resp)["data"]["attributes"]["sample_count"] == 965


def test_installation_ending_before_it_starts_is_400(
    mclient: FlaskClient, login: Login
) -> None:
    # Fixed: the reference accepted from > to.
    body = doc(
        "Installation",
        {"from_timestamp_s": 1600000000, "to_timestamp_s": 1500000000},
        {"room": ("Room", 4), "node": ("Node", str(ERS))},
    )

    resp = mclient.post(
        "/api/v1/installations/", json=body, headers=login("veraVersuch")
    )

    assert resp.status_code == 400
    assert (
        js(resp)["errors"][0]["source"]["pointer"] == "/data/attributes/to_timestamp_s"
    )
