"""The back office and API errors speak the user's language: setting, browser, default."""

from __future__ import annotations

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import User
from tests.factories import make_installation, make_room
from tests.support.accounts import json_of
from tests.support.admin_forms import page_text, submit

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


def test_admin_follows_the_browsers_language(staff_client: FlaskClient) -> None:
    body = page_text(staff_client.get("/admin/", headers=GERMAN))

    assert "Inventar" in body
    assert "Organisationen" in body
    assert "Abmelden" in body


def test_admin_is_english_by_default(staff_client: FlaskClient) -> None:
    body = page_text(staff_client.get("/admin/"))

    assert "Inventory" in body
    assert "Inventar" not in body


def test_users_own_language_wins_over_the_browsers(
    staff_client: FlaskClient, session: Session, staff: User
) -> None:
    staff.locale = "en"
    session.flush()

    body = page_text(staff_client.get("/admin/", headers=GERMAN))

    assert "Inventory" in body


def test_language_switch_stores_the_users_choice(
    staff_client: FlaskClient, session: Session, staff: User
) -> None:
    response = submit(
        staff_client,
        "/admin/locale/",
        {"locale": "de", "next": "/admin/node/"},
        form_url="/admin/",
    )

    assert response.headers["Location"] == "/admin/node/"
    session.refresh(staff)
    assert staff.locale == "de"
    assert "Knoten" in page_text(staff_client.get("/admin/node/"))


def test_flask_admins_own_labels_are_german_too(staff_client: FlaskClient) -> None:
    body = page_text(staff_client.get("/admin/organization/", headers=GERMAN))

    assert "Liste" in body
    assert "Erstellen" in body


def test_rule_violation_on_the_form_is_german(
    staff_client: FlaskClient, session: Session, staff: User
) -> None:
    staff.locale = "de"
    room = make_room(session)
    node = make_installation(session).node  # of another organization
    session.commit()

    response = submit(
        staff_client,
        "/admin/installation/new/",
        {
            "node": str(node.id),
            "room": str(room.id),
            "from_time": "2024-03-01 00:00:00",
        },
    )

    assert (
        "In einer Installation müssen Knoten und Raum demselben Eigentümer gehören."
        in page_text(response)
    )


def test_api_error_title_and_detail_are_german_under_accept_language(
    client: FlaskClient,
) -> None:
    response = client.get("/api/v1/nodes/", headers=GERMAN)

    error = json_of(response)["errors"][0]
    assert response.status_code == 401
    assert error["title"] == "Anmeldung erforderlich"
    assert error["detail"] == "Anmeldedaten fehlen."


def test_api_error_stays_english_by_default(client: FlaskClient) -> None:
    error = json_of(client.get("/api/v1/nodes/"))["errors"][0]

    assert error["title"] == "Authentication required"
    assert error["detail"] == "Authentication credentials were not provided."
