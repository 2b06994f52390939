"""Admin writes go through the API's services: the same rules, errors on the form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import unescape

from flask.testing import FlaskClient

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Installation, Membership, Node, Organization, Role, Room, User
from app.services.accounts.passwords import verify_password
from tests.factories import (
    make_installation,
    make_membership,
    make_model,
    make_node,
    make_organization,
    make_protocol,
    make_room,
    make_site,
    make_user,
)
from tests.support.admin_forms import delete_row, page_text, submit

T1 = datetime(2024, 3, 1, tzinfo=UTC)


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _installation_form(
    node: Node, room: Room, start: datetime, end: str = ""
) -> dict[str, str]:
    return {
        "node": str(node.id),
        "room": str(room.id),
        "from_time": start.strftime("%Y-%m-%d %H:%M:%S"),
        "to_time": end,
        "description": "",
    }


def test_installation_created_in_the_admin_is_stored(
    staff_client: FlaskClient, session: Session
) -> None:
    room = make_room(session)
    node = make_node(session, owner=room.site.operator)

    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(
        staff_client, "/admin/installation/new/", _installation_form(node, room, T1)
    )

    assert response.status_code == 302, page_text(response)[-3000:]
    inst = session.scalars(
        select(Installation).where(Installation.node_id == node.id)
    ).one()
    assert (inst.room_id, inst.from_time, inst.to_time) == (room.id, T1, None)


def test_installation_of_node_and_room_of_different_owners_is_refused_on_the_form(
    staff_client: FlaskClient, session: Session
) -> None:
    room = make_room(session)
    node = make_node(session)  # another organization
    before = _count(session, Installation)

    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(
        staff_client, "/admin/installation/new/", _installation_form(node, room, T1)
    )

    assert response.status_code == 200
    assert (
        "In an installation, node and room must belong to the same owner."
        in unescape(page_text(response))
    )
    assert _count(session, Installation) == before


def test_overlapping_installation_is_refused_with_the_apis_message(
    staff_client: FlaskClient, session: Session
) -> None:
    first = make_installation(session, from_time=T1)
    other_room = make_room(session, site=first.room.site)

    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(
        staff_client,
        "/admin/installation/new/",
        _installation_form(first.node, other_room, T1 + timedelta(days=1)),
    )

    text = unescape(page_text(response))
    assert response.status_code == 200
    assert "the installations of a node must not overlap" in text
    assert (
        session.scalar(
            select(func.count())
            .select_from(Installation)
            .where(Installation.node_id == first.node_id)
        )
        == 1
    )


def test_installation_ending_before_it_starts_is_refused(
    staff_client: FlaskClient, session: Session
) -> None:
    room = make_room(session)
    node = make_node(session, owner=room.site.operator)

    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(
        staff_client,
        "/admin/installation/new/",
        _installation_form(node, room, T1, end="2024-02-01 00:00:00"),
    )

    assert response.status_code == 200
    assert "to_timestamp_s must not be before from_timestamp_s." in unescape(
        page_text(response)
    )


def test_room_size_beyond_the_apis_limit_is_refused(
    staff_client: FlaskClient, session: Session
) -> None:
    site = make_site(session)

    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(
        staff_client,
        "/admin/room/new/",
        {
            "name": "Aula",
            "site": str(site.id),
            "size_sqm": "123456",
            "height_m": "",
            "max_occupancy": "",
        },
    )

    assert response.status_code == 200
    assert "Ensure that there are no more than 4 digits before the decimal point." in (
        unescape(page_text(response))
    )
    assert session.scalar(select(Room).where(Room.name == "Aula")) is None


def test_room_name_taken_in_the_site_is_refused(
    staff_client: FlaskClient, session: Session
) -> None:
    room = make_room(session, name="Aula")

    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(
        staff_client,
        "/admin/room/new/",
        {
            "name": "Aula",
            "site": str(room.site_id),
            "size_sqm": "",
            "height_m": "",
            "max_occupancy": "",
        },
    )

    assert response.status_code == 200
    assert 'The site already has a room named "Aula".' in unescape(page_text(response))


def test_node_with_a_malformed_eui_is_refused(
    staff_client: FlaskClient, session: Session
) -> None:
    org, protocol, model = (
        make_organization(session),
        make_protocol(session),
        make_model(session),
    )

    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(
        staff_client,
        "/admin/node/new/",
        {
            "eui64": "not-hex",
            "alias": "Sensor",
            "protocol": str(protocol.id),
            "model": str(model.id),
            "owner": str(org.id),
        },
    )

    assert response.status_code == 200
    assert "Enter the EUI-64 as 16 hexadecimal digits" in unescape(page_text(response))
    assert session.scalar(select(Node).where(Node.alias == "Sensor")) is None


def test_node_created_in_the_admin_has_its_eui_normalised(
    staff_client: FlaskClient, session: Session
) -> None:
    org = make_organization(session)

    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(
        staff_client,
        "/admin/node/new/",
        {
            "eui64": "70b3-d57e-d004-1234",
            "alias": "Sensor 7",
            "protocol": str(make_protocol(session).id),
            "model": str(make_model(session).id),
            "owner": str(org.id),
        },
    )

    assert response.status_code == 302, page_text(response)[-3000:]
    node = session.scalars(select(Node).where(Node.alias == "Sensor 7")).one()
    assert node.eui64 == "70B3D57ED0041234"


def test_organization_name_taken_is_refused(
    staff_client: FlaskClient, session: Session
) -> None:
    make_organization(session, name="Kita Sonnenschein")

    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(
        staff_client, "/admin/organization/new/", {"name": "Kita Sonnenschein"}
    )

    assert response.status_code == 200
    assert "An organization named 'Kita Sonnenschein' exists already." in unescape(
        page_text(response)
    )


def test_organization_created_in_the_admin_has_no_owner_from_staff(
    staff_client: FlaskClient, session: Session
) -> None:
    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(staff_client, "/admin/organization/new/", {"name": "Neue Org"})

    assert response.status_code == 302, page_text(response)[-3000:]
    org = session.scalars(
        select(Organization).where(Organization.name == "Neue Org")
    ).one()
    assert (
        session.scalars(
            select(Membership).where(Membership.organization_id == org.id)
        ).all()
        == []
    )


def test_deleting_the_last_owner_membership_is_refused(
    staff_client: FlaskClient, session: Session
) -> None:
    org = make_organization(session)
    membership = make_membership(session, make_user(session), org, Role.OWNER)

    session.commit()  # keep the arranged rows when the request rolls back
    follow = delete_row(staff_client, "membership", membership.id)

    assert "An organization must keep at least one owner" in unescape(page_text(follow))
    assert session.get(Membership, membership.id) is not None


def test_address_latitude_out_of_range_is_refused(
    staff_client: FlaskClient, session: Session
) -> None:
    session.commit()  # keep the arranged rows when the request rolls back
    response = submit(
        staff_client,
        "/admin/address/new/",
        {
            "street1": "Hauptstr. 1",
            "zip": "10115",
            "city": "Berlin",
            "latitude": "91",
            "longitude": "",
        },
    )

    assert response.status_code == 200
    assert "Must be greater than or equal to -90 and less than or equal to 90." in (
        unescape(page_text(response))
    )


def test_user_pages_never_show_the_password_hash(
    staff_client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    details = page_text(staff_client.get(f"/admin/user/details/?id={user.id}"))
    edit = page_text(staff_client.get(f"/admin/user/edit/?id={user.id}"))
    listing = page_text(staff_client.get("/admin/user/"))

    for body in (details, edit, listing):
        assert user.password_hash not in body
    assert 'name="password_hash"' not in edit


def test_user_created_with_a_weak_password_is_refused(
    staff_client: FlaskClient, session: Session
) -> None:
    response = submit(
        staff_client,
        "/admin/user/new/",
        {"username": "maria", "email": "maria@example.org", "new_password": "12345678"},
    )

    assert response.status_code == 200
    assert "This password is entirely numeric." in unescape(page_text(response))
    assert session.scalar(select(User).where(User.username == "maria")) is None


def test_user_created_in_the_admin_can_log_in_with_its_password(
    staff_client: FlaskClient, session: Session
) -> None:
    response = submit(
        staff_client,
        "/admin/user/new/",
        {
            "username": "maria",
            "email": "maria@example.org",
            "email_verified": "y",
            "is_active": "y",
            "new_password": "ein-langes-passwort",
        },
    )

    assert response.status_code == 302, page_text(response)[-2000:]
    user = session.scalars(select(User).where(User.username == "maria")).one()
    assert verify_password(user.password_hash, "ein-langes-passwort")
