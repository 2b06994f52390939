"""The node resource shows its fidelity verdict and links to it."""

from __future__ import annotations

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Role
from app.models.devices import Fidelity
from tests.factories import make_fidelity, make_membership, make_node, make_user
from tests.support.auth import auth_headers


def test_node_shows_its_fidelity_in_list_and_detail(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    checked = make_node(session)
    make_membership(session, user, checked.owner, Role.INSPECTOR)
    unchecked = make_node(session, owner=checked.owner)
    make_fidelity(session, checked, fidelity=Fidelity.DEAD)
    headers = auth_headers(session, user)

    listed = client.get("/api/v1/nodes/", headers=headers).json
    detail = client.get(f"/api/v1/nodes/{checked.id}/", headers=headers).json

    assert listed is not None
    assert detail is not None
    by_id = {n["id"]: n for n in listed["data"]}
    assert by_id[str(checked.id)]["attributes"]["fidelity"] == "D"
    assert by_id[str(unchecked.id)]["attributes"]["fidelity"] is None
    assert detail["data"]["attributes"]["fidelity"] == "D"
    assert detail["data"]["relationships"]["fidelity"]["links"]["related"].endswith(
        f"/api/v1/fidelity/{checked.id}/"
    )
