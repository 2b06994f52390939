"""The lists' bulk delete ("With selected" -> "Delete") through the services.

flask-admin's own bulk delete bound the ticked ids as text, so PostgreSQL
refused the query (``bigint = character varying``) and every list answered 500,
for superusers too. The rows now go one by one through the view's
``delete_model``: the services' rules and refusal messages, as the row's own
delete button.
"""

from __future__ import annotations

from collections.abc import Callable
from html import unescape
from typing import Any

import pytest
from flask_admin.contrib.sqla import ModelView

from flask import Flask
from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.admin import EXTENSION
from app.models import (
    Address,
    Installation,
    Membership,
    Node,
    NodeModel,
    Organization,
    Protocol,
    Quantity,
    Role,
    Room,
    Site,
    User,
)
from tests.factories import (
    make_address,
    make_installation,
    make_membership,
    make_model,
    make_node,
    make_organization,
    make_protocol,
    make_quantity,
    make_room,
    make_site,
    make_user,
)
from tests.support.admin_forms import delete_rows, page_text

#: ``make(session)`` returns one row the view may delete.
Make = Callable[[Session], Any]


def _membership(session: Session) -> Membership:
    org = make_organization(session)
    make_membership(session, make_user(session), org, Role.OWNER)  # one stays
    return make_membership(session, make_user(session), org)


#: Every list that offers the delete action: its endpoint, model and a maker.
VIEWS: list[tuple[str, type[Any], Make]] = [
    ("user", User, make_user),
    ("organization", Organization, make_organization),
    ("membership", Membership, _membership),
    ("address", Address, make_address),
    ("site", Site, make_site),
    ("room", Room, make_room),
    ("node", Node, make_node),
    ("installation", Installation, make_installation),
    ("quantity", Quantity, make_quantity),
    ("protocol", Protocol, make_protocol),
    ("nodemodel", NodeModel, make_model),
]


def _stored(session: Session, model: type[Any], ids: list[Any]) -> list[Any]:
    session.expire_all()
    return [i for i in ids if session.get(model, i) is not None]


def test_every_list_offering_delete_is_covered(app: Flask) -> None:
    offering = {
        view.url.rsplit("/", 1)[-1]
        for view in app.extensions[EXTENSION]._views
        if isinstance(view, ModelView)
        and view.can_delete
        and "delete" in {name for name, _ in view.get_actions_list()[0]}
    }

    assert offering == {endpoint for endpoint, _, _ in VIEWS}


@pytest.mark.parametrize(("view", "model", "make"), VIEWS, ids=[v[0] for v in VIEWS])
@pytest.mark.parametrize("actor", ["staff", "superuser"])
def test_bulk_delete_deletes_the_ticked_rows(
    request: pytest.FixtureRequest,
    session: Session,
    actor: str,
    view: str,
    model: type[Any],
    make: Make,
) -> None:
    client: FlaskClient = request.getfixturevalue(f"{actor}_client")
    ids = [make(session).id for _ in range(2)]
    kept = make(session).id
    session.commit()  # keep the arranged rows when a request rolls back

    answer, listing = delete_rows(client, view, ids)

    assert answer.status_code == 302, page_text(answer)[:500]
    assert "2 records were successfully deleted." in unescape(page_text(listing))
    assert _stored(session, model, ids) == []
    assert _stored(session, model, [kept]) == [kept]


def test_bulk_delete_of_users_keeps_the_superuser_rule(
    staff_client: FlaskClient, session: Session
) -> None:
    boss = make_user(session, is_staff=True, is_superuser=True)
    colleague = make_user(session, is_staff=True)
    ordinary = make_user(session)
    session.commit()

    _, listing = delete_rows(staff_client, "user", [boss.id, colleague.id, ordinary.id])

    body = unescape(page_text(listing))
    for refused in (boss, colleague):  # each refusal names its row
        assert (
            f"{refused}: Only superusers may change the accounts of staff users."
            in body
        )
    assert "Record was successfully deleted." in body
    assert _stored(session, User, [boss.id, colleague.id, ordinary.id]) == [
        boss.id,
        colleague.id,
    ]


def test_bulk_delete_of_memberships_keeps_the_last_owner(
    staff_client: FlaskClient, session: Session
) -> None:
    org = make_organization(session)
    owner = make_membership(session, make_user(session), org, Role.OWNER)
    inspector = make_membership(session, make_user(session), org)
    session.commit()

    _, listing = delete_rows(staff_client, "membership", [owner.id, inspector.id])

    body = unescape(page_text(listing))
    assert "An organization must keep at least one owner" in body
    assert _stored(session, Membership, [owner.id, inspector.id]) == [owner.id]


@pytest.mark.parametrize(
    ("view", "junk"),
    [
        ("user", ["abc", "0", "-1", "99999999999999999999", "9223372036854775807"]),
        ("node", ["abc", "1", "00000000-0000-0000-0000-000000000000"]),
    ],
)
def test_bulk_delete_of_ids_that_match_no_row_deletes_nothing(
    staff_client: FlaskClient, session: Session, view: str, junk: list[str]
) -> None:
    answer, listing = delete_rows(staff_client, view, junk)

    assert answer.status_code == 302, page_text(answer)[:500]
    assert "Record does not exist." in unescape(page_text(listing))


def test_bulk_delete_says_when_some_ticked_rows_are_gone(
    staff_client: FlaskClient, session: Session
) -> None:
    gone, kept = make_user(session), make_user(session)
    session.commit()
    gone_id = gone.id
    session.delete(gone)  # deleted meanwhile, in another tab
    session.commit()

    _, listing = delete_rows(staff_client, "user", [gone_id, kept.id])

    body = unescape(page_text(listing))
    assert "Record does not exist." in body
    assert "Record was successfully deleted." in body
    assert _stored(session, User, [kept.id]) == []
