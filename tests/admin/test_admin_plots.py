"""The plots' series (7 days, hourly, clipped), their JSON, the room heat map, samples."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Sample
from app.services.access import BACK_OFFICE
from app.services.series import plots
from tests.factories import make_installation, make_node, make_samples
from tests.support.admin_forms import page_text
from tests.support.copy_series import insert_series
from tests.support.refusals import assert_refused

NOW = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)


def test_node_series_has_hourly_means_of_the_last_seven_days(session: Session) -> None:
    node = make_node(session)
    make_samples(session, node, start=NOW - timedelta(days=8), count=2)
    make_samples(
        session,
        node,
        start=NOW - timedelta(hours=2),
        count=2,
        step=timedelta(minutes=10),
        co2_ppm=500,
    )
    session.add(
        Sample(node_id=node.id, time=NOW - timedelta(hours=2, minutes=-20), co2_ppm=800)
    )
    session.flush()

    series = plots.node_series(session, BACK_OFFICE, node.id, now=NOW)

    assert series.times_s == (int((NOW - timedelta(hours=2)).timestamp()),)
    assert series.co2_ppm == (600.0,)
    assert series.temperature_celsius == (21.5,)
    assert series.start == NOW - timedelta(days=7)


def test_installation_series_is_clipped_to_the_installation(session: Session) -> None:
    start = NOW - timedelta(days=2)
    inst = make_installation(session, from_time=start, to_time=NOW - timedelta(days=1))
    insert_series(
        session, inst.node_id, NOW - timedelta(days=3), NOW, timedelta(hours=1), 700
    )

    series = plots.installation_series(session, BACK_OFFICE, inst.id, now=NOW)

    assert series.start == start
    assert series.end == NOW - timedelta(days=1)
    assert len(series.times_s) == 25  # both ends included
    assert set(series.co2_ppm) == {700.0}


def test_node_series_without_samples_is_empty(session: Session) -> None:
    node = make_node(session)
    make_samples(session, node, start=NOW - timedelta(days=9), count=2)

    series = plots.node_series(session, BACK_OFFICE, node.id, now=NOW)

    assert series.times_s == ()
    assert series.co2_ppm == ()
    assert series.end == NOW


@pytest.mark.parametrize("kind", ["node", "installation"])
def test_plot_json_without_samples_says_no_data(
    staff_client: FlaskClient, session: Session, kind: str
) -> None:
    inst = make_installation(session, from_time=NOW)
    key = inst.node_id if kind == "node" else inst.id

    response = staff_client.get(f"/admin/plots/{kind}/{key}/")

    assert response.status_code == 200
    document = response.get_json()
    assert document["times_s"] == []
    assert document["co2_ppm"] == []
    assert document["temperature_celsius"] == []


def test_plot_json_is_served_to_staff(
    staff_client: FlaskClient, session: Session
) -> None:
    inst = make_installation(session, from_time=datetime.now(UTC) - timedelta(days=1))
    make_samples(
        session, inst.node, start=datetime.now(UTC) - timedelta(hours=3), count=6
    )

    document = staff_client.get(f"/admin/plots/installation/{inst.id}/").get_json()

    assert len(document["times_s"]) >= 1
    assert document["co2_ppm"][0] == 600.0
    assert document["rel_humidity_percent"][0] == 45.0


@pytest.mark.parametrize(
    "url",
    [
        "/admin/plots/installation/999999999/",
        "/admin/plots/node/00000000-0000-0000-0000-000000000000/",
        "/admin/plots/node/abc/",
    ],
)
def test_plot_json_of_an_unknown_installation_or_node_is_a_json_404(
    staff_client: FlaskClient, url: str
) -> None:
    # The page's script reads JSON; the 404 used to be an HTML page.
    assert_refused(staff_client, "GET", url, 404, unchanged=())


def test_installation_details_page_has_the_chart(
    staff_client: FlaskClient, session: Session
) -> None:
    inst = make_installation(session)

    body = page_text(staff_client.get(f"/admin/installation/details/?id={inst.id}"))

    assert f'data-series-url="/admin/plots/installation/{inst.id}/"' in body
    assert "/static/vendor/uplot/uPlot.iife.min.js" in body


def test_node_details_page_has_the_chart(
    staff_client: FlaskClient, session: Session
) -> None:
    node = make_node(session)

    body = page_text(staff_client.get(f"/admin/node/details/?id={node.id}"))

    assert f'data-series-url="/admin/plots/node/{node.id}/"' in body


def test_room_details_page_shows_the_weekday_hour_heat_map(
    staff_client: FlaskClient, session: Session
) -> None:
    day = (datetime.now(UTC) - timedelta(days=3)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    inst = make_installation(session, from_time=day - timedelta(days=2))
    insert_series(
        session,
        inst.node_id,
        day - timedelta(days=1),
        day + timedelta(days=2),
        timedelta(minutes=10),
        1200,
    )

    body = page_text(staff_client.get(f"/admin/room/details/?id={inst.room_id}"))

    assert 'id="room-heatmap"' in body
    assert ">1200</td>" in body


def test_room_without_samples_says_so(
    staff_client: FlaskClient, session: Session
) -> None:
    inst = make_installation(session)

    body = page_text(staff_client.get(f"/admin/room/details/?id={inst.room_id}"))

    assert 'id="room-heatmap-empty"' in body


def test_samples_are_filtered_by_node_and_time_range(
    staff_client: FlaskClient, session: Session
) -> None:
    node, other = make_node(session), make_node(session)
    make_samples(session, node, start=NOW, count=3, co2_ppm=611)
    make_samples(session, other, start=NOW, count=3, co2_ppm=922)
    window = "2024-06-10 12:04:00 to 2024-06-10 12:30:00"

    body = page_text(
        staff_client.get(
            "/admin/sample/", query_string={"flt0_0": node.eui64, "flt1_1": window}
        )
    )

    assert re.findall(r'<td class="col-co2_ppm">\s*(\d+)', body) == ["611", "611"]


def test_sample_details_are_found_by_node_and_time(
    staff_client: FlaskClient, session: Session
) -> None:
    node = make_node(session)
    session.add(
        Sample(
            node_id=node.id, time=NOW, co2_ppm=777, temperature_celsius=Decimal("19.5")
        )
    )
    session.flush()

    response = staff_client.get(
        "/admin/sample/details/", query_string={"id": f"{node.id},{NOW.isoformat()}"}
    )

    assert response.status_code == 200
    assert "777" in page_text(response)


def test_samples_list_without_a_node_filter_lists_nothing(
    staff_client: FlaskClient, session: Session
) -> None:
    make_samples(session, make_node(session), start=NOW, count=3, co2_ppm=611)

    body = page_text(staff_client.get("/admin/sample/"))

    assert re.findall(r'<td class="col-co2_ppm">', body) == []
    assert "Filter by a node" in body
