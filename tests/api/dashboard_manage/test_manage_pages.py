"""The management pages: who sees them, and who sees write controls."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.blueprints.dashboard_manage.page import ENDED_SHOWN, load
from app.models import Organization, Site
from app.services.access import actor_for
from tests.api.dashboard_manage.conftest import World, sign_in
from tests.api.inventory.test_query_counts import StatementCounter
from tests.factories import make_installation, make_node, make_room, make_site

ACTIONS = ("sites/", "rooms/", "nodes/", "installations/", "members/", "leave/")


def test_manage_page_anonymous_get_goes_to_sign_in(
    browser: FlaskClient, world: World
) -> None:
    resp = browser.get(world.page)

    assert resp.status_code == 302
    assert resp.location.startswith("/accounts/login/?next=")


def test_manage_index_lists_the_users_organizations(
    browser: FlaskClient, world: World
) -> None:
    sign_in(browser, world.inspector)

    resp = browser.get("/dashboard/manage/")

    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert f'href="{world.page}"' in html
    assert world.other_org.name not in html
    assert resp.headers["Cache-Control"] == "no-store"


def test_manage_page_owner_sees_every_form(browser: FlaskClient, world: World) -> None:
    sign_in(browser, world.owner)

    html = browser.get(world.page).get_data(as_text=True)

    for action in ACTIONS:
        assert f'action="{world.page}{action}"' in html
    inst = world.installation.id
    assert f'action="{world.page}installations/{inst}/end/"' in html
    assert f'action="{world.page}installations/{inst}/publicity/"' in html
    assert "/role/" in html
    assert world.site.name in html
    assert world.node.alias in html


def test_manage_page_inspector_sees_no_write_control(
    browser: FlaskClient, world: World
) -> None:
    sign_in(browser, world.inspector)

    resp = browser.get(world.page)

    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert world.room.name in html
    assert world.owner.username in html
    # The language switch is every page's one form; no other form or button.
    writes = re.sub(
        r'<form class="language".*?</form>', "", html, count=1, flags=re.DOTALL
    )
    assert writes != html, "the language switch should be on the page"
    assert "<form" not in writes
    assert "<button" not in writes


def test_manage_page_of_an_invisible_organization_is_404(
    browser: FlaskClient, world: World
) -> None:
    sign_in(browser, world.outsider)

    resp = browser.get(world.page)

    assert resp.status_code == 404
    assert resp.mimetype == "text/html"
    assert world.site.name not in resp.get_data(as_text=True)


def test_manage_page_speaks_german(browser: FlaskClient, world: World) -> None:
    sign_in(browser, world.owner)

    html = browser.get(world.page, headers={"Accept-Language": "de"}).get_data(
        as_text=True
    )

    assert "Standorte und Räume" in html
    assert "Mitglied hinzufügen" in html
    assert "Sie sind Eigentümer" in html


def _statements(client: FlaskClient, session: Session, path: str) -> int:
    """Count the statements of one page view, with nothing cached in the session."""
    session.commit()
    session.expunge_all()
    counting = StatementCounter()
    conn = session.connection()
    event.listen(conn, "before_cursor_execute", counting)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(conn, "before_cursor_execute", counting)
    return counting.count


def test_manage_page_costs_the_same_statements_for_many_rows(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = sign_in(browser, world.owner)
    page, site_id, org_id = world.page, world.site.id, world.org.id
    few = _statements(client, session, page)
    site, org = session.get(Site, site_id), session.get(Organization, org_id)
    for n in range(20):
        room = make_room(session, site=site, name=f"Room {n}")
        make_installation(session, node=make_node(session, owner=org), room=room)

    many = _statements(client, session, page)

    assert many == few


def test_manage_page_lists_each_room_under_its_site(
    browser: FlaskClient, world: World, session: Session
) -> None:
    site_id, org_id = world.site.id, world.org.id
    annex = make_site(session, operator=session.get(Organization, org_id), name="Annex")
    gym = make_room(session, site=annex, name="Turnhalle")
    empty = make_site(session, operator=session.get(Organization, org_id), name="Z")
    session.commit()
    view = load(session, actor_for(session, world.owner), org_id)

    # one pass over the rooms (filtering every room per site grew as sites x rooms)
    assert view.site_rooms == {
        site_id: [world.room],
        annex.id: [gym],
        empty.id: [],
    }
    html = " ".join(sign_in(browser, world.owner).get(world.page).text.split())
    assert f'<li data-room="{gym.id}">Turnhalle</li> </ul> </li>' in html
    assert f'data-site="{empty.id}"> <strong>Z</strong>' in html


def test_manage_page_lists_running_installations_and_the_last_ended_ones(
    browser: FlaskClient, world: World, session: Session
) -> None:
    # A node moved every week for years: the page listed every installation it
    # ever had (1.4 kB of HTML each), growing without bound.
    node, room = world.spare_node, world.room
    week = timedelta(days=7)
    start = datetime(2020, 1, 6, tzinfo=UTC)
    ended = [
        make_installation(
            session,
            node=node,
            room=room,
            from_time=start + i * week,
            to_time=start + (i + 1) * week,
        )
        for i in range(ENDED_SHOWN + 1)
    ]
    planned = make_installation(
        session, node=node, room=room, from_time=datetime(2037, 1, 1, tzinfo=UTC)
    )
    session.commit()
    client = sign_in(browser, world.owner)

    html = client.get(world.page).get_data(as_text=True)

    shown = [int(i) for i in re.findall(r'data-installation="(\d+)"', html)]
    assert shown[:2] == [planned.id, world.installation.id]  # running, planned
    assert shown[2:] == [i.id for i in reversed(ended[1:])]  # the last to end
    assert 'id="older-installations"' in html
    assert f'href="/dashboard/nodes/{node.id}/"' in html  # where the rest is


def test_manage_page_says_nothing_of_older_installations_when_all_are_listed(
    browser: FlaskClient, world: World
) -> None:
    html = sign_in(browser, world.owner).get(world.page).get_data(as_text=True)

    assert f'data-installation="{world.installation.id}"' in html
    assert 'id="older-installations"' not in html
