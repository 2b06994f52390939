"""Every management form: it stores what the API would, and refuses what it would refuse.

Success redirects back (303) with the change stored; a refused value answers the
API's status with the message at the form field its pointer names; nothing is
stored then.
"""

from __future__ import annotations

import html as html_lib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.i18n import LOCALE_COOKIE
from app.models import Address, Installation, Membership, Node, Role, Room, Site
from app.models.types import utcnow
from app.services.series.epoch import to_epoch
from tests.api.dashboard_manage.conftest import World, field_errors, send, sign_in
from tests.factories import make_membership, make_room, make_user

#: What a select shows for a value not offered (a row deleted since the page was shown).
STALE = (
    "This choice is not available any more (it was deleted or changed meanwhile): "
    "reload the page and choose again."
)


def _owner(browser: FlaskClient, world: World) -> FlaskClient:
    return sign_in(browser, world.owner)


def _count(session: Session, model: type, *where: ColumnElement[bool]) -> int:
    return int(
        session.scalar(select(func.count()).select_from(model).where(*where)) or 0
    )


def _errors(resp: object, field: str) -> list[str]:
    text = resp.get_data(as_text=True)  # type: ignore[attr-defined]
    return [html_lib.unescape(e) for e in field_errors(text, field)]


# -- sites ------------------------------------------------------------------------


def test_add_site_stores_site_and_address(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)

    resp = send(
        client,
        world,
        "sites/",
        "site",
        {"name": "Turnhalle", "street1": "Parkweg 2", "zip": "10115", "city": "Berlin"},
    )

    assert resp.status_code == 303
    assert resp.location == world.page
    site = session.scalars(select(Site).where(Site.name == "Turnhalle")).one()
    assert site.operator_id == world.org.id
    assert session.get(Address, site.address_id).street1 == "Parkweg 2"  # type: ignore[union-attr]
    assert "Turnhalle" in client.get(world.page).get_data(as_text=True)


def test_add_site_shows_every_blank_field_at_its_field(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)
    before = _count(session, Address)

    resp = send(
        client,
        world,
        "sites/",
        "site",
        {"name": " ", "city": "Berlin"},
    )

    assert resp.status_code == 400
    assert _errors(resp, "site-name") == ["This field may not be blank."]
    assert _errors(resp, "site-street1") == ["This field may not be blank."]
    assert _errors(resp, "site-zip") == ["This field may not be blank."]
    assert _errors(resp, "site-city") == []
    assert _count(session, Address) == before


def test_add_site_with_a_taken_name_is_409_at_the_name(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)
    before = _count(session, Address)

    resp = send(
        client,
        world,
        "sites/",
        "site",
        {"name": world.site.name, "street1": "A 1", "zip": "10115", "city": "Berlin"},
    )

    assert resp.status_code == 409
    assert _errors(resp, "site-name") == [
        f'The organization already has a site named "{world.site.name}".'
    ]
    assert _count(session, Address) == before  # the address went with the site


# -- rooms and nodes --------------------------------------------------------------


def test_add_room_stores_it_in_the_site(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)

    resp = send(
        client,
        world,
        "rooms/",
        "room",
        {
            "site": world.site.id,
            "name": "Aula",
            "size_sqm": "120.5",
            "max_occupancy": "80",
        },
    )

    assert resp.status_code == 303
    room = session.scalars(select(Room).where(Room.name == "Aula")).one()
    assert (room.site_id, str(room.size_sqm), room.max_occupancy) == (
        world.site.id,
        "120.5",
        80,
    )


@pytest.mark.parametrize(
    ("fields", "field", "german"),
    [
        ({"name": "Aula", "size_sqm": "abc"}, "room-size_sqm", "Keine gültige Zahl."),
        (
            {"name": "Aula", "max_occupancy": "2.5"},
            "room-max_occupancy",
            "Muss eine ganze Zahl sein (ohne Nachkommastellen).",
        ),
        ({"name": "   "}, "room-name", "Dieses Feld darf nicht leer sein."),
    ],
)
def test_the_apis_own_refusals_are_shown_in_the_pages_language(
    browser: FlaskClient,
    world: World,
    fields: dict[str, str],
    field: str,
    german: str,
) -> None:
    """The API's schema messages reached German pages in English."""
    client = _owner(browser, world)
    client.set_cookie(LOCALE_COOKIE, "de")

    resp = send(client, world, "rooms/", "room", {"site": world.site.id, **fields})

    assert resp.status_code == 400
    assert _errors(resp, field) == [german]


def test_add_room_refuses_a_bad_size_and_another_orgs_site(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)
    foreign = world.other_installation.room.site_id

    bad_size = send(
        client,
        world,
        "rooms/",
        "room",
        {"site": world.site.id, "name": "Aula", "size_sqm": "12.25"},
    )
    bad_site = send(
        client,
        world,
        "rooms/",
        "room",
        {"site": foreign, "name": "X"},
    )

    assert bad_size.status_code == 400
    assert _errors(bad_size, "room-size_sqm")
    assert bad_site.status_code == 400
    assert _errors(bad_site, "room-site") == [STALE]
    assert _count(session, Room, Room.name.in_(["Aula", "X"])) == 0


def test_add_room_refuses_a_description_over_2000_characters_at_the_field(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)

    resp = send(
        client,
        world,
        "rooms/",
        "room",
        {"site": world.site.id, "name": "Aula", "description": "x" * 2001},
    )

    assert resp.status_code == 400
    assert _errors(resp, "room-description") == [
        "Ensure this field has no more than 2000 characters."
    ]
    assert _count(session, Room, Room.name == "Aula") == 0


def test_register_node_normalises_the_eui(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)

    resp = send(
        client,
        world,
        "nodes/",
        "node",
        {
            "eui64": "70-b3-d5-7e-d0-04-12-34",
            "alias": "Aula sensor",
            "protocol": world.protocol.id,
            "model": world.model.id,
        },
    )

    assert resp.status_code == 303
    node = session.scalars(select(Node).where(Node.alias == "Aula sensor")).one()
    assert (node.eui64, node.owner_id) == ("70B3D57ED0041234", world.org.id)


def test_register_node_refuses_bad_and_taken_euis_at_the_eui(
    browser: FlaskClient, world: World
) -> None:
    client = _owner(browser, world)
    fields = {"alias": "n", "protocol": world.protocol.id, "model": world.model.id}

    bad = send(client, world, "nodes/", "node", {**fields, "eui64": "xyz"})
    taken = send(
        client,
        world,
        "nodes/",
        "node",
        {**fields, "eui64": world.node.eui64},
    )

    assert bad.status_code == 400
    assert _errors(bad, "node-eui64") == [
        "Enter the EUI-64 as 16 hexadecimal digits, e.g. 70B3D57ED0041234."
    ]
    assert taken.status_code == 409
    assert _errors(taken, "node-eui64") == ["A node with this eui64 already exists."]


# -- installations ----------------------------------------------------------------


def test_install_starts_now_open_ended_and_public_on_request(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)
    before = utcnow().replace(microsecond=0)

    resp = send(
        client,
        world,
        "installations/",
        "install",
        {"node": str(world.spare_node.id), "room": world.room.id, "is_public": "1"},
    )

    assert resp.status_code == 303
    inst = session.scalars(
        select(Installation).where(Installation.node_id == world.spare_node.id)
    ).one()
    assert before <= inst.from_time <= utcnow()
    assert (inst.to_time, inst.is_public, inst.room_id) == (None, True, world.room.id)


def test_install_in_a_room_deleted_since_the_page_was_shown_says_to_reload(
    browser: FlaskClient, world: World, session: Session
) -> None:
    room = make_room(session, site=world.site, name="Abstellraum")
    session.commit()
    client = _owner(browser, world)
    assert f'<option value="{room.id}">' in client.get(world.page).text
    session.delete(room)  # another owner, meanwhile
    session.commit()

    resp = send(
        client,
        world,
        "installations/",
        "install",
        {"node": str(world.spare_node.id), "room": room.id},
    )

    assert resp.status_code == 400
    assert _errors(resp, "install-room") == [STALE]
    assert (
        _count(session, Installation, Installation.node_id == world.spare_node.id) == 0
    )


def test_install_overlapping_is_400_at_the_start(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)

    resp = send(
        client,
        world,
        "installations/",
        "install",
        {
            "node": str(world.node.id),
            "room": world.room.id,
            "start": "2025-03-01T08:00",
        },
    )

    assert resp.status_code == 400
    (message,) = _errors(resp, "install-start")
    assert "the installations of a node must not overlap" in message
    assert _count(session, Installation, Installation.node_id == world.node.id) == 1


def test_install_at_a_time_the_clocks_skip_is_400_at_the_start(
    browser: FlaskClient, world: World, session: Session
) -> None:
    # 02:30 on the last Sunday of March does not exist in Berlin: it was stored
    # as 03:30 without a word.
    client = _owner(browser, world)

    resp = send(
        client,
        world,
        "installations/",
        "install",
        {
            "node": str(world.spare_node.id),
            "room": world.room.id,
            "start": "2026-03-29T02:30",
        },
    )

    assert resp.status_code == 400
    assert _errors(resp, "install-start") == [
        "2026-03-29 02:30 does not exist in Europe/Berlin (the clocks are put "
        "forward then): choose another start."
    ]
    assert (
        _count(session, Installation, Installation.node_id == world.spare_node.id) == 0
    )


@pytest.mark.parametrize("start", ["2026-03-29T03:00", "2026-10-25T02:30"])
def test_install_at_the_hours_around_a_clock_change_is_stored(
    browser: FlaskClient, world: World, session: Session, start: str
) -> None:
    client = _owner(browser, world)

    resp = send(
        client,
        world,
        "installations/",
        "install",
        {"node": str(world.spare_node.id), "room": world.room.id, "start": start},
    )

    assert resp.status_code == 303


@pytest.mark.parametrize(
    "start",
    [
        "0001-01-01T00:00",  # before what a datetime holds in UTC (was a 500)
        "9999-12-31T23:59",
        "2040-01-01T00:00",
        "1969-12-31T23:00",
        "1970-01-01T00:30",  # 1969 in UTC: the form's time is Berlin's
    ],
)
def test_install_with_a_start_out_of_range_is_400_naming_the_dates(
    browser: FlaskClient, world: World, session: Session, start: str
) -> None:
    client = _owner(browser, world)

    resp = send(
        client,
        world,
        "installations/",
        "install",
        {"node": str(world.spare_node.id), "room": world.room.id, "start": start},
    )

    assert resp.status_code == 400
    assert _errors(resp, "install-start") == [
        "Choose a start between 1970-01-01 01:00 and 2038-01-19 04:14."
    ]
    assert (
        _count(session, Installation, Installation.node_id == world.spare_node.id) == 0
    )


def test_install_at_the_last_minute_of_the_range_is_stored(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)

    resp = send(
        client,
        world,
        "installations/",
        "install",
        {
            "node": str(world.spare_node.id),
            "room": world.room.id,
            "start": "2038-01-19T04:14",
        },
    )

    assert resp.status_code == 303
    inst = session.scalars(
        select(Installation).where(Installation.node_id == world.spare_node.id)
    ).one()
    assert to_epoch(inst.from_time) == 2_147_483_640


def test_end_installation_ends_it_now_once(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)
    action = f"installations/{world.installation.id}/end/"

    ended = send(client, world, action, f"end{world.installation.id}", {})
    again = send(client, world, action, f"end{world.installation.id}", {})

    assert ended.status_code == 303
    session.expire_all()
    to_time = session.get(Installation, world.installation.id).to_time  # type: ignore[union-attr]
    assert to_time is not None
    assert utcnow() - to_time < timedelta(minutes=1)
    assert again.status_code == 400
    assert "This installation has ended already." in again.get_data(as_text=True)
    session.expire_all()
    assert session.get(Installation, world.installation.id).to_time == to_time  # type: ignore[union-attr]


def test_publicity_sets_the_value_sent(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)
    inst = world.installation
    action = f"installations/{inst.id}/publicity/"

    public = send(client, world, action, f"pub{inst.id}", {"is_public": "1"})
    public_again = send(client, world, action, f"pub{inst.id}", {"is_public": "1"})
    session.expire_all()
    shown = session.get(Installation, inst.id).is_public  # type: ignore[union-attr]
    private = send(client, world, action, f"pub{inst.id}", {"is_public": "0"})

    assert (public.status_code, public_again.status_code, shown) == (303, 303, True)
    assert private.status_code == 303
    session.expire_all()
    assert session.get(Installation, inst.id).is_public is False  # type: ignore[union-attr]


def test_publicity_of_another_orgs_installation_is_refused(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)
    other = world.other_installation
    action = f"installations/{other.id}/publicity/"

    resp = send(client, world, action, f"pub{other.id}", {"is_public": "0"})

    assert resp.status_code == 404  # it is public, so visible, but not on our page
    session.expire_all()
    assert session.get(Installation, other.id).is_public is True  # type: ignore[union-attr]


def _owner_of_both(browser: FlaskClient, world: World, session: Session) -> FlaskClient:
    """The owner, an OWNER of the other organization too."""
    make_membership(session, world.owner, world.other_org, Role.OWNER)
    session.commit()
    return _owner(browser, world)


@pytest.mark.parametrize(
    ("action", "fields"), [("end", {}), ("publicity", {"is_public": "0"})]
)
def test_an_installation_of_another_owned_org_is_404_on_this_orgs_page(
    browser: FlaskClient,
    world: World,
    session: Session,
    action: str,
    fields: dict[str, str],
) -> None:
    client = _owner_of_both(browser, world, session)
    other = world.other_installation
    prefix = {"end": "end", "publicity": "pub"}[action]

    resp = send(
        client,
        world,
        f"installations/{other.id}/{action}/",
        f"{prefix}{other.id}",
        fields,
    )

    assert resp.status_code == 404
    assert f"This organization has no installation {other.id}." in resp.get_data(
        as_text=True
    )
    session.expire_all()
    unchanged = session.get(Installation, other.id)
    assert unchanged is not None
    assert (unchanged.is_public, unchanged.to_time) == (True, None)


# -- members ----------------------------------------------------------------------


def test_invite_adds_an_existing_account_with_the_role(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)
    person = make_user(session, email="Erika@Example.org")
    session.commit()

    resp = send(
        client,
        world,
        "members/",
        "invite",
        {"email": "erika@example.org", "role": "O"},
    )

    assert resp.status_code == 303
    role = session.scalar(
        select(Membership.role).where(
            Membership.user_id == person.id, Membership.organization_id == world.org.id
        )
    )
    assert role == Role.OWNER


def test_invite_answers_unknown_and_inactive_addresses_alike(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)
    make_user(session, email="gone@example.org", is_active=False)
    session.commit()
    before = _count(session, Membership)

    unknown = send(
        client,
        world,
        "members/",
        "invite",
        {"email": "nobody@example.org"},
    )
    inactive = send(
        client,
        world,
        "members/",
        "invite",
        {"email": "gone@example.org"},
    )

    assert unknown.status_code == inactive.status_code == 400
    assert _errors(unknown, "invite-email") == _errors(inactive, "invite-email")
    assert _errors(unknown, "invite-email")[0].startswith("No active account uses")
    assert _count(session, Membership) == before


def test_invite_of_a_member_is_409_at_the_email(
    browser: FlaskClient, world: World
) -> None:
    client = _owner(browser, world)

    resp = send(
        client,
        world,
        "members/",
        "invite",
        {"email": world.inspector.email},
    )

    assert resp.status_code == 409
    assert _errors(resp, "invite-email") == [
        "This user is a member of the organization already."
    ]


def _membership(session: Session, world: World, user_id: int) -> Membership:
    return session.scalars(
        select(Membership).where(
            Membership.user_id == user_id, Membership.organization_id == world.org.id
        )
    ).one()


def test_set_role_promotes_an_inspector(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)
    membership = _membership(session, world, world.inspector.id)

    resp = send(
        client,
        world,
        f"memberships/{membership.id}/role/",
        f"role{membership.id}",
        {"role": "O"},
    )

    assert resp.status_code == 303
    session.expire_all()
    assert session.get(Membership, membership.id).role == Role.OWNER  # type: ignore[union-attr]


def test_set_role_keeps_the_last_owner(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)
    own = _membership(session, world, world.owner.id)

    resp = send(
        client,
        world,
        f"memberships/{own.id}/role/",
        f"role{own.id}",
        {"role": "I"},
    )

    assert resp.status_code == 409
    assert "must keep at least one owner" in html_lib.unescape(
        resp.get_data(as_text=True)
    )
    session.expire_all()
    assert session.get(Membership, own.id).role == Role.OWNER  # type: ignore[union-attr]


def test_set_role_of_another_owned_orgs_membership_is_404_on_this_orgs_page(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner_of_both(browser, world, session)
    other = session.scalars(
        select(Membership).where(
            Membership.user_id == world.outsider.id,
            Membership.organization_id == world.other_org.id,
        )
    ).one()

    resp = send(
        client, world, f"memberships/{other.id}/role/", f"role{other.id}", {"role": "I"}
    )

    assert resp.status_code == 404
    assert f"This organization has no membership {other.id}." in resp.get_data(
        as_text=True
    )
    session.expire_all()
    assert session.get(Membership, other.id).role == Role.OWNER  # type: ignore[union-attr]


def test_leave_removes_the_owners_membership_when_another_owner_stays(
    browser: FlaskClient, world: World, session: Session
) -> None:
    make_membership(session, make_user(session), world.org, Role.OWNER)
    session.commit()
    client = _owner(browser, world)

    resp = send(client, world, "leave/", "leave", {})

    assert resp.status_code == 303
    assert resp.location == "/dashboard/manage/"
    assert _count(session, Membership, Membership.user_id == world.owner.id) == 0


def test_leave_as_the_last_owner_is_409(
    browser: FlaskClient, world: World, session: Session
) -> None:
    client = _owner(browser, world)

    resp = send(client, world, "leave/", "leave", {})

    assert resp.status_code == 409
    assert _count(session, Membership, Membership.user_id == world.owner.id) == 1


# -- text the database cannot store -----------------------------------------------

_SITE = {"name": "Turnhalle", "street1": "Parkweg 2", "zip": "10115", "city": "Berlin"}


def _valid_fields(world: World, form: str) -> dict[str, Any]:
    forms: dict[str, dict[str, Any]] = {
        "site": _SITE,
        "room": {"site": world.site.id, "name": "Aula"},
        "node": {
            "eui64": "70B3D57ED0041234",
            "alias": "Aula sensor",
            "protocol": world.protocol.id,
            "model": world.model.id,
        },
        "install": {"node": str(world.spare_node.id), "room": world.room.id},
        "invite": {"email": "erika@example.org", "role": "I"},
    }
    return forms[form]


@pytest.mark.parametrize(
    ("path", "form", "field"),
    [
        ("sites/", "site", "name"),
        ("sites/", "site", "description"),
        ("sites/", "site", "street1"),
        ("sites/", "site", "street2"),
        ("sites/", "site", "zip"),
        ("sites/", "site", "city"),
        ("rooms/", "room", "name"),
        ("rooms/", "room", "description"),
        ("nodes/", "node", "alias"),
        ("nodes/", "node", "description"),
        ("installations/", "install", "description"),
        ("members/", "invite", "email"),
    ],
)
def test_nul_in_a_text_field_is_400_at_the_field(
    browser: FlaskClient,
    world: World,
    session: Session,
    path: str,
    form: str,
    field: str,
) -> None:
    client = _owner(browser, world)
    tables = (Site, Address, Room, Node, Installation, Membership)
    before = [_count(session, table) for table in tables]
    fields = {**_valid_fields(world, form), field: "x\x00y@b.de"}

    resp = send(client, world, path, form, fields)

    assert resp.status_code == 400
    assert "This field may not contain NUL characters." in _errors(
        resp, f"{form}-{field}"
    )
    assert [_count(session, table) for table in tables] == before


def test_end_of_an_installation_not_started_yet_says_when_it_starts(
    browser: FlaskClient, world: World, session: Session
) -> None:
    # 2030-01-01 00:00 UTC, shown in the analysis zone (Europe/Berlin)
    world.installation.from_time = datetime(2030, 1, 1, tzinfo=UTC)
    session.commit()
    client = _owner(browser, world)
    inst = world.installation.id

    page = client.get(world.page).get_data(as_text=True)
    resp = send(client, world, f"installations/{inst}/end/", f"end{inst}", {})

    assert f'installations/{inst}/end/"' not in page  # no button that cannot work
    assert resp.status_code == 400
    shown = html_lib.unescape(resp.get_data(as_text=True))
    assert (
        "This installation starts on 2030-01-01 01:00 and cannot end before it "
        f"starts. To cancel it, delete it through the API (DELETE "
        f"/api/v1/installations/{inst}/)." in shown
    )
    assert "to_timestamp_s" not in shown
    client.set_cookie(LOCALE_COOKIE, "de")
    german = send(client, world, f"installations/{inst}/end/", f"end{inst}", {})
    assert "Diese Installation beginnt am 2030-01-01 01:00" in german.get_data(
        as_text=True
    )
    session.expire_all()
    assert session.get(Installation, inst).to_time is None  # type: ignore[union-attr]
