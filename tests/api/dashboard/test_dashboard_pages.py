"""The built-in dashboard's read pages: status, content, tenancy, headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.http import HTML_CSP
from app.models import User
from tests.api.dashboard.world import DashWorld, build_dash_world
from tests.factories import (
    DEFAULT_PASSWORD,
    make_alert,
    make_alert_rule,
    make_installation,
    make_node,
    make_samples,
    make_user,
)
from tests.support.accounts import html_login
from tests.support.auth import auth_headers
from tests.support.refusals import assert_page_refused

#: What the HTML 404 page says (the same for a hidden and a missing place).
NOT_FOUND = "There is no such page, or it is not shown to you"


@pytest.fixture
def world(session: Session) -> DashWorld:
    return build_dash_world(session)


def _html(resp: object) -> str:
    return resp.get_data(as_text=True)  # type: ignore[attr-defined, no-any-return]


def _overview_text(
    client: FlaskClient, session: Session, world: DashWorld, user: User
) -> str:
    """Our organization's overview as ``user`` sees it, white space collapsed."""
    resp = client.get(
        f"/dashboard/organizations/{world.org.id}/", headers=auth_headers(session, user)
    )
    assert resp.status_code == 200
    return " ".join(_html(resp).split())


def test_dashboard_anonymous_is_sent_to_sign_in(client: FlaskClient) -> None:
    resp = client.get("/dashboard/")

    assert resp.status_code == 302
    assert resp.location.startswith("/accounts/login/?next=/dashboard/")


def test_root_sends_signed_in_users_to_the_dashboard(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    html_login(client, world.owner.username, DEFAULT_PASSWORD)

    root = client.get("/")
    landing = client.get("/dashboard/")

    assert root.status_code == 302
    assert root.location == "/dashboard/"
    assert landing.status_code == 302
    assert landing.location == f"/dashboard/organizations/{world.org.id}/"


def test_dashboard_without_organization_says_so(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    loner = make_user(session)

    resp = client.get("/dashboard/", headers=auth_headers(session, loner))

    assert resp.status_code == 200
    assert "do not belong to an organization" in _html(resp)


def test_overview_shows_rooms_badges_liveness_and_thresholds(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    resp = client.get(
        f"/dashboard/organizations/{world.org.id}/",
        headers=auth_headers(session, world.owner),
    )

    html = _html(resp)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Content-Security-Policy"] == HTML_CSP
    assert "Schankraum" in html
    assert "Keller" in html
    assert '<span class="badge band-elevated">1200 ppm · elevated</span>' in html
    assert "below 1000 ppm good" in html
    assert "above 2000 ppm poor" in html
    assert 'Tresen</a> <span class="live live-E">alive</span>' in html
    assert "Last sample" in html
    assert "No samples yet" in html
    assert "Aula" not in html
    assert "Lehrerzimmer" not in html


def _node_in_the_empty_room(
    session: Session, world: DashWorld, samples: dict[timedelta, int]
) -> None:
    """A node installed 5 days ago in the empty room, with one sample per offset
    from now (its CO2)."""
    now = datetime.now(UTC)
    installation = make_installation(
        session,
        node=make_node(session, owner=world.org),
        room=world.empty_room,
        from_time=now - timedelta(days=5),
    )
    for offset, co2 in samples.items():
        make_samples(
            session, installation.node, start=now + offset, count=1, co2_ppm=co2
        )
    session.commit()


def test_overview_finds_the_newest_sample_of_a_node_silent_for_days(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    # Silent for days (beyond the first look-up's day before the tallies), and
    # no sample before the installation counts.
    _node_in_the_empty_room(
        session, world, {timedelta(days=-6): 600, timedelta(days=-3): 2300}
    )

    html = _overview_text(client, session, world, world.owner)

    assert '<span class="badge band-poor">2300 ppm · poor</span>' in html
    assert "Last sample 3 days ago" in html
    assert "No samples yet" not in html


def test_overview_shows_the_newest_sample_up_to_now_beside_a_future_one(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    # A clock that runs ahead stamped the newest sample in the future: the page
    # shows the newest one up to now, found by the look-up backwards from now.
    _node_in_the_empty_room(
        session, world, {timedelta(days=-2): 1700, timedelta(hours=3): 600}
    )

    html = _overview_text(client, session, world, world.owner)

    assert "1700 ppm · elevated" in html
    assert "Last sample 2 days ago" in html


def test_overview_inspector_sees_the_organization(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    resp = client.get(
        f"/dashboard/organizations/{world.org.id}/",
        headers=auth_headers(session, world.inspector),
    )

    assert resp.status_code == 200
    assert "Schankraum" in _html(resp)


def test_overview_shows_the_open_alerts_of_its_organization_only(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    ours = make_alert_rule(session, world.org)
    make_alert(session, ours, world.room, peak_ppm=1900)
    make_alert(session, ours, world.empty_room, cleared_at=datetime.now(UTC))
    theirs = make_alert_rule(session, world.their_org)
    their_room = world.public.room
    make_alert(session, theirs, their_room, peak_ppm=2500)
    session.commit()

    html = _overview_text(client, session, world, world.inspector)

    assert "Open alerts" in html
    assert "CO2 too high (peak 1900 ppm)" in html
    assert html.count("data-alert-id=") == 1
    assert "2500" not in html


def test_overview_without_open_alerts_has_no_alert_section(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    resp = client.get(
        f"/dashboard/organizations/{world.org.id}/",
        headers=auth_headers(session, world.owner),
    )

    assert "Open alerts" not in _html(resp)


@pytest.mark.parametrize(
    ("member", "label"),
    [
        ("owner", "Manage sites, rooms, nodes and members"),
        ("inspector", "Sites, rooms, nodes and members"),
    ],
)
def test_overview_links_to_the_organization_management_page(
    client: FlaskClient, session: Session, world: DashWorld, member: str, label: str
) -> None:
    resp = client.get(
        f"/dashboard/organizations/{world.org.id}/",
        headers=auth_headers(session, getattr(world, member)),
    )

    link = f'<a href="/dashboard/manage/{world.org.id}/">{label}</a>'
    assert link in " ".join(_html(resp).split())


def test_public_room_page_shows_its_public_chart(
    client: FlaskClient, world: DashWorld
) -> None:
    resp = client.get(f"/dashboard/public/rooms/{world.public.room_id}/")

    html = _html(resp)
    assert resp.status_code == 200
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert "Aula" in html
    assert f'data-series-url="/api/v1/rooms/{world.public.room_id}/series/"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/organizations/{their_org}/",
        "/dashboard/rooms/{public_room}/",
        "/dashboard/rooms/{private_room}/",
        "/dashboard/nodes/{public_node}/",
        "/dashboard/installations/{public}/",
        "/dashboard/installations/{private}/",
        "/dashboard/rooms/999999999/",
    ],
)
def test_members_pages_of_another_organization_are_404(
    client: FlaskClient, session: Session, world: DashWorld, path: str
) -> None:
    url = world.url(path)

    headers = auth_headers(session, world.owner)

    assert_page_refused(
        lambda: client.get(url, headers=headers), 404, unchanged=(), shows=NOT_FOUND
    )


@pytest.mark.parametrize("who", ["owner", "inspector"])
def test_room_page_has_chart_air_quality_and_history(
    client: FlaskClient, session: Session, world: DashWorld, who: str
) -> None:
    user = world.owner if who == "owner" else world.inspector

    resp = client.get(
        f"/dashboard/rooms/{world.room.id}/", headers=auth_headers(session, user)
    )

    html = _html(resp)
    assert resp.status_code == 200
    assert f'data-series-url="/api/v1/rooms/{world.room.id}/series/"' in html
    assert 'class="heatmap"' in html
    assert 'class="days"' in html
    assert 'type="month" name="month"' in html
    assert f'href="/dashboard/installations/{world.installation.id}/"' in html
    assert "<iframe" not in html  # nothing public in this room


def test_room_page_of_a_month_shows_its_days(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    resp = client.get(
        f"/dashboard/rooms/{world.room.id}/?month=2024-02",
        headers=auth_headers(session, world.owner),
    )

    html = _html(resp)
    assert resp.status_code == 200
    assert "Air quality in 2024-02" in html
    assert html.count('<th scope="row">2024-02-') == 29


@pytest.mark.parametrize("month", ["2024-13", "24-01", "1969-12", "2038-01", "x", ""])
def test_room_page_bad_month_is_400_naming_the_parameter(
    client: FlaskClient, session: Session, world: DashWorld, month: str
) -> None:
    headers = auth_headers(session, world.owner)

    resp = assert_page_refused(
        lambda: client.get(
            f"/dashboard/rooms/{world.room.id}/",
            query_string={"month": month},
            headers=headers,
        ),
        400,
        unchanged=(),
        field="month",
        shows="Expected a month as YYYY-MM between 1970-01 and 2037-12.",
    )

    html = _html(resp)
    assert f'name="month" value="{month}"' in html
    assert 'class="bar"' in html  # the dashboard's frame, not werkzeug's page
    assert resp.headers["Cache-Control"] == "no-store"


def test_room_page_bad_month_is_refused_in_german(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    headers = {**auth_headers(session, world.owner), "Accept-Language": "de"}

    resp = assert_page_refused(
        lambda: client.get(
            f"/dashboard/rooms/{world.room.id}/?month=2026-13", headers=headers
        ),
        400,
        unchanged=(),
        field="month",
        shows="Erwartet wird ein Monat als JJJJ-MM zwischen 1970-01 und 2037-12.",
    )

    assert '<html lang="de">' in _html(resp)


def test_room_page_offers_embed_snippets_of_public_installations(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    world.installation.is_public = True
    session.commit()

    resp = client.get(
        f"/dashboard/rooms/{world.room.id}/",
        headers=auth_headers(session, world.owner),
    )

    assert (
        f"&lt;iframe src=&#34;http://localhost/dashboard/embed/installations/"
        f"{world.installation.id}/&#34;" in _html(resp)
    )
    assert (
        f"&lt;iframe src=&#34;http://localhost/dashboard/embed/rooms/"
        f"{world.room.id}/&#34;" in _html(resp)
    )


def test_room_page_snippet_escapes_the_room_name_inside_its_html(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    # The snippet is HTML the operator pastes into their own site: a quote in
    # the room's name must not end its title attribute there (an onload handler).
    world.room.name = 'Aula" onload="alert(1)'
    world.installation.is_public = True
    session.commit()

    resp = client.get(
        f"/dashboard/rooms/{world.room.id}/",
        headers=auth_headers(session, world.owner),
    )

    html = _html(resp)
    # escaped twice: once in the snippet, once for the textarea showing it
    assert "title=&#34;Aula&amp;#34; onload=&amp;#34;alert(1)&#34;" in html
    assert "title=&#34;Aula&#34; onload" not in html


def test_room_page_offers_no_embed_of_a_private_room(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    resp = client.get(
        f"/dashboard/rooms/{world.room.id}/",
        headers=auth_headers(session, world.owner),
    )

    assert "/dashboard/embed/rooms/" not in _html(resp)


def test_node_page_shows_liveness_chart_and_history(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    resp = client.get(
        f"/dashboard/nodes/{world.node.id}/",
        headers=auth_headers(session, world.inspector),
    )

    html = _html(resp)
    assert resp.status_code == 200
    assert f'data-series-url="/api/v1/nodes/{world.node.id}/series/"' in html
    assert 'class="live live-E"' in html
    assert f'href="/dashboard/rooms/{world.room.id}/"' in html


def test_installation_page_shows_chart_and_node(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    resp = client.get(
        f"/dashboard/installations/{world.installation.id}/",
        headers=auth_headers(session, world.owner),
    )

    html = _html(resp)
    assert resp.status_code == 200
    assert (
        f'data-series-url="/api/v1/installations/{world.installation.id}/series/"'
        in html
    )
    assert f'href="/dashboard/nodes/{world.node.id}/"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/organizations/{org}/",
        "/dashboard/rooms/{room}/",
        "/dashboard/nodes/{node}/",
        "/dashboard/installations/{installation}/",
    ],
)
def test_members_pages_send_anonymous_to_sign_in(
    client: FlaskClient, world: DashWorld, path: str
) -> None:
    url = path.format(
        org=world.org.id,
        room=world.room.id,
        node=world.node.id,
        installation=world.installation.id,
    )

    resp = client.get(url)

    assert resp.status_code == 302
    assert resp.location.startswith("/accounts/login/?next=")


# -- public pages and embeds -------------------------------------------------------------


def test_public_installation_page_needs_no_login(
    client: FlaskClient, world: DashWorld
) -> None:
    resp = client.get(f"/dashboard/public/installations/{world.public.id}/")

    html = _html(resp)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "private, max-age=60"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert "Aula" in html
    assert f'data-series-url="/api/v1/installations/{world.public.id}/series/"' in html
    assert 'data-live="60"' in html


def test_public_site_page_lists_public_rooms_only(
    client: FlaskClient, world: DashWorld
) -> None:
    resp = client.get(f"/dashboard/public/sites/{world.their_site.id}/")

    html = _html(resp)
    assert resp.status_code == 200
    assert "Aula" in html
    assert f'data-series-url="/api/v1/rooms/{world.public.room_id}/series/"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/public/installations/{private}/",
        "/dashboard/embed/installations/{private}/",
        "/dashboard/public/sites/{private_site}/",
        "/dashboard/embed/sites/{private_site}/",
        "/dashboard/public/installations/{ours}/",
        "/dashboard/public/rooms/{private_room}/",
        "/dashboard/embed/rooms/{private_room}/",
        "/dashboard/embed/rooms/{our_room}/",
    ],
)
def test_private_places_have_no_public_page(
    client: FlaskClient, session: Session, world: DashWorld, path: str
) -> None:
    url = world.url(path)

    # Not even for the owner: public pages show what anyone sees.
    headers = auth_headers(session, world.owner)

    assert_page_refused(
        lambda: client.get(url, headers=headers), 404, unchanged=(), shows=NOT_FOUND
    )


def test_page_not_found_is_the_dashboards_in_the_visitors_language(
    client: FlaskClient, world: DashWorld
) -> None:
    # A public link of a place that is private now: werkzeug's English page
    # said nothing a visitor could act on and had no way on.
    resp = client.get(
        world.url("/dashboard/public/rooms/{private_room}/"),
        headers={"Accept-Language": "de"},
    )

    html = _html(resp)
    assert resp.status_code == 404
    assert '<html lang="de">' in html
    assert "<title>Nicht gefunden · " in html
    assert "Diese Seite gibt es nicht, oder sie wird Ihnen nicht gezeigt" in html
    assert 'href="/dashboard/"' in html  # the way on
    assert resp.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("kind", ["installations", "sites", "rooms"])
def test_embed_may_be_framed_by_configured_origins_only(
    client: FlaskClient,
    world: DashWorld,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    monkeypatch.setitem(
        client.application.config,
        "EMBED_FRAME_ANCESTORS",
        ("https://bar.example.org",),
    )
    pk = {
        "installations": world.public.id,
        "sites": world.their_site.id,
        "rooms": world.public.room_id,
    }[kind]

    resp = client.get(f"/dashboard/embed/{kind}/{pk}/")

    assert resp.status_code == 200
    assert "X-Frame-Options" not in resp.headers
    assert resp.headers["Content-Security-Policy"] == HTML_CSP.replace(
        "frame-ancestors 'none'",
        "frame-ancestors 'self' https://bar.example.org",
    )
    assert 'class="embed"' in _html(resp)


def test_start_page_lists_public_places(client: FlaskClient, world: DashWorld) -> None:
    resp = client.get("/")

    html = _html(resp)
    assert resp.status_code == 200
    assert f'href="/dashboard/public/sites/{world.their_site.id}/"' in html
    assert "Lehrerhaus" not in html
    assert "Kneipe" not in html


def test_overview_speaks_german(
    client: FlaskClient, session: Session, world: DashWorld
) -> None:
    headers = {
        **auth_headers(session, world.owner),
        "Accept-Language": "de-DE,de;q=0.9",
    }

    resp = client.get(f"/dashboard/organizations/{world.org.id}/", headers=headers)

    html = _html(resp)
    assert '<html lang="de">' in html
    assert "erhöht" in html
    assert "Umweltbundesamt" in html


def _embed(world: DashWorld, kind: str) -> str:
    pk = {
        "installations": world.public.id,
        "sites": world.their_site.id,
        "rooms": world.public.room_id,
    }[kind]
    return f"/dashboard/embed/{kind}/{pk}/"


@pytest.mark.parametrize("kind", ["installations", "sites", "rooms"])
def test_embed_is_public_without_a_session(
    client: FlaskClient, world: DashWorld, kind: str
) -> None:
    resp = client.get(_embed(world, kind))

    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "public, max-age=60"
    assert "Set-Cookie" not in resp.headers


@pytest.mark.parametrize("kind", ["installations", "sites", "rooms"])
def test_embed_a_shared_cache_may_keep_names_the_language_it_depends_on(
    client: FlaskClient, world: DashWorld, kind: str
) -> None:
    # "public" lets a proxy keep it for everyone: without Vary it served the
    # first visitor's German page to every English one.
    german = client.get(_embed(world, kind), headers={"Accept-Language": "de"})
    english = client.get(_embed(world, kind), headers={"Accept-Language": "en"})

    assert '<html lang="de">' in _html(german)
    assert '<html lang="en">' in _html(english)
    for resp in (german, english):
        assert "Accept-Language" in resp.vary
        assert "Cookie" in resp.vary  # the language cookie


@pytest.mark.parametrize("kind", ["installations", "sites", "rooms"])
def test_embed_shows_a_signed_in_viewer_nothing_of_theirs(
    client: FlaskClient, world: DashWorld, kind: str
) -> None:
    signed_in = f"Successfully signed in as {world.owner.username}."
    assert html_login(client, world.owner.username, DEFAULT_PASSWORD).status_code == 302

    resp = client.get(_embed(world, kind))

    assert resp.status_code == 200
    assert signed_in not in _html(resp)
    assert world.owner.username not in _html(resp)
    # In the viewer's language: only their browser's cache may keep it, and
    # the framed page sends no session cookie (a normal page refreshes it).
    assert resp.headers["Cache-Control"] == "private, max-age=60"
    assert "Set-Cookie" not in resp.headers
    # The message waits for the next page of the viewer's own.
    later = client.get(f"/dashboard/organizations/{world.org.id}/")
    assert signed_in in _html(later)
    assert "Set-Cookie" in later.headers
