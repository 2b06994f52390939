"""``/api/v1/auth/user/``: the own account, read and changed."""

from __future__ import annotations

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import User
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import AUTH, api_login, doc, json_of
from tests.support.refusals import assert_refused


def _token(client: FlaskClient, user: User) -> dict[str, str]:
    key = json_of(api_login(client, DEFAULT_PASSWORD, username=user.username))["data"][
        "id"
    ]
    client.delete_cookie("sessionid")
    return {"Authorization": f"Token {key}"}


def test_get_user_has_the_reference_shape(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session, first_name="Vera", last_name="Versuch")

    resp = client.get(f"{AUTH}/user/", headers=_token(client, user))

    assert resp.status_code == 200
    assert resp.json == {
        "data": {
            "type": "User",
            "id": str(user.id),
            "attributes": {
                "pk": user.id,
                "username": user.username,
                "email": user.email,
                "first_name": "Vera",
                "last_name": "Versuch",
            },
        }
    }


def test_get_user_without_trailing_slash_works(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    resp = client.get(f"{AUTH}/user", headers=_token(client, user))

    assert resp.status_code == 200


def test_patch_user_changes_names_and_answers_the_whole_resource(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    headers = _token(client, user)

    resp = client.patch(
        f"{AUTH}/user/",
        json=doc(
            "User", str(user.id), username="renamed", first_name="Re", last_name="Named"
        ),
        headers=headers,
    )

    assert resp.status_code == 200
    attributes = json_of(resp)["data"]["attributes"]
    assert attributes["username"] == "renamed"
    assert (attributes["first_name"], attributes["last_name"]) == ("Re", "Named")
    assert attributes["email"] == user.email
    session.refresh(user)
    assert user.username == "renamed"


def test_patch_user_accepts_a_body_without_id(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    resp = client.patch(
        f"{AUTH}/user/", json=doc("User", last_name="X"), headers=_token(client, user)
    )

    assert resp.status_code == 200


def test_patch_user_wrong_type_is_409(client: FlaskClient, session: Session) -> None:
    user = make_user(session)

    resp = client.patch(
        f"{AUTH}/user/",
        json=doc("Membership", str(user.id), last_name="X"),
        headers=_token(client, user),
    )

    assert resp.status_code == 409
    assert json_of(resp)["errors"][0]["source"]["pointer"] == "/data/type"


def test_patch_user_other_id_is_409(client: FlaskClient, session: Session) -> None:
    user = make_user(session)
    other = make_user(session)

    resp = client.patch(
        f"{AUTH}/user/",
        json=doc("User", str(other.id), last_name="X"),
        headers=_token(client, user),
    )

    assert resp.status_code == 409
    assert json_of(resp)["errors"][0]["source"]["pointer"] == "/data/id"


def test_patch_user_taken_username_is_409_at_username(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)
    other = make_user(session)

    resp = client.patch(
        f"{AUTH}/user/",
        json=doc("User", str(user.id), username=other.username),
        headers=_token(client, user),
    )

    assert resp.status_code == 409
    assert (
        json_of(resp)["errors"][0]["source"]["pointer"] == "/data/attributes/username"
    )


def test_patch_user_malformed_username_is_400(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session)

    resp = client.patch(
        f"{AUTH}/user/",
        json=doc("User", str(user.id), username="has space"),
        headers=_token(client, user),
    )

    assert resp.status_code == 400
    assert (
        json_of(resp)["errors"][0]["source"]["pointer"] == "/data/attributes/username"
    )


def test_patch_user_email_change_is_400(client: FlaskClient, session: Session) -> None:
    user = make_user(session)

    resp = client.patch(
        f"{AUTH}/user/",
        json=doc("User", str(user.id), email="new@example.org"),
        headers=_token(client, user),
    )

    assert resp.status_code == 400
    assert json_of(resp)["errors"][0]["source"]["pointer"] == "/data/attributes/email"


def test_patch_user_same_email_is_fine(client: FlaskClient, session: Session) -> None:
    user = make_user(session)

    resp = client.patch(
        f"{AUTH}/user/",
        json=doc("User", str(user.id), email=user.email.upper(), first_name="A"),
        headers=_token(client, user),
    )

    assert resp.status_code == 200


def test_put_user_needs_the_username(client: FlaskClient, session: Session) -> None:
    user = make_user(session)

    resp = client.put(
        f"{AUTH}/user/",
        json=doc("User", str(user.id), first_name="A"),
        headers=_token(client, user),
    )

    assert resp.status_code == 400
    assert (
        json_of(resp)["errors"][0]["source"]["pointer"] == "/data/attributes/username"
    )


def test_patch_user_anonymous_is_401(client: FlaskClient) -> None:
    resp = assert_refused(
        client,
        "PATCH",
        f"{AUTH}/user/",
        401,
        json=doc("User", last_name="X"),
        unchanged=("users",),
    )

    assert "WWW-Authenticate" in resp.headers


def test_patch_user_form_body_is_415(client: FlaskClient, session: Session) -> None:
    user = make_user(session)

    assert_refused(
        client,
        "PATCH",
        f"{AUTH}/user/",
        415,
        data={"last_name": "X"},
        headers=_token(client, user),
        unchanged=("users",),
        header="Content-Type",
    )
