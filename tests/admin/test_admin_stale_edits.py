"""An edit form opened before someone else saved the row does not overwrite them."""

from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Organization, Role
from tests.factories import make_membership, make_organization, make_room, make_user
from tests.support.accounts import CSRF_FIELD, form_token
from tests.support.admin_forms import page_text

STALE = "Someone else changed this record after you opened it."


def _open(client: FlaskClient, url: str) -> dict[str, str]:
    """GET an edit form; return what it carries besides the fields typed in."""
    body = page_text(client.get(url))
    version = re.search(r'name="row_version" type="hidden" value="([0-9a-f]+)"', body)
    assert version is not None, body[-3000:]
    return {CSRF_FIELD: form_token(body), "row_version": version.group(1)}


def test_saving_over_a_row_changed_since_the_form_was_opened_is_refused(
    staff_client: FlaskClient, session: Session
) -> None:
    org = make_organization(session, name="Kita Alt", description="")
    session.commit()
    url = f"/admin/organization/edit/?id={org.id}"
    opened = _open(staff_client, url)
    org.description = "saved by a colleague meanwhile"
    session.commit()

    response = staff_client.post(
        url, data={**opened, "name": "Kita Neu", "description": ""}
    )

    assert response.status_code == 200
    assert STALE in unescape(page_text(response))
    session.expire_all()
    stored = session.get(Organization, org.id)
    assert stored is not None
    assert (stored.name, stored.description) == (
        "Kita Alt",
        "saved by a colleague meanwhile",
    )


def test_a_membership_changed_meanwhile_makes_the_organization_form_stale(
    staff_client: FlaskClient, session: Session
) -> None:
    org = make_organization(session, name="Kita")
    make_membership(session, make_user(session), org, Role.OWNER)
    other = make_membership(session, make_user(session), org, Role.INSPECTOR)
    session.commit()
    url = f"/admin/organization/edit/?id={org.id}"
    opened = _open(staff_client, url)
    other.role = Role.OWNER
    session.commit()

    response = staff_client.post(url, data={**opened, "name": "Kita Neu"})

    assert STALE in unescape(page_text(response))
    session.expire_all()
    assert session.get(Organization, org.id).name == "Kita"  # type: ignore[union-attr]


def test_saving_an_unchanged_row_works(
    staff_client: FlaskClient, session: Session
) -> None:
    room = make_room(session, name="Klasse 1a")
    session.commit()
    url = f"/admin/room/edit/?id={room.id}"
    opened = _open(staff_client, url)

    response = staff_client.post(
        url, data={**opened, "name": "Klasse 1b", "site": str(room.site_id)}
    )

    assert response.status_code == 302, page_text(response)[-3000:]
    session.expire_all()
    assert room.name == "Klasse 1b"
