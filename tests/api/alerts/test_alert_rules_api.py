"""Alert rules over the API: defaults, validation with pointers, no leaks; alert filters."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import AlertRule, Organization, Role, User
from tests.factories import (
    make_alert,
    make_alert_rule,
    make_membership,
    make_organization,
    make_room,
    make_site,
    make_user,
)
from tests.support.accounts import JSONAPI, json_of
from tests.support.auth import auth_headers
from tests.support.refusals import assert_refused


@pytest.fixture
def owner(session: Session) -> tuple[User, Organization]:
    user, org = make_user(session), make_organization(session)
    make_membership(session, user, org, Role.OWNER)
    return user, org


def _body(org_id: int, **attributes: Any) -> dict[str, Any]:
    return {
        "data": {
            "type": "AlertRule",
            "attributes": {"name": "Klasse 5a", "kind": "co2", **attributes},
            "relationships": {
                "organization": {"data": {"type": "Organization", "id": str(org_id)}}
            },
        }
    }


def _post(client: FlaskClient, session: Session, user: User, doc: Any) -> Any:
    return client.post(
        "/api/v1/alert-rules/",
        data=json.dumps(doc),
        content_type=JSONAPI,
        headers=auth_headers(session, user),
    )


def test_a_new_co2_rule_takes_the_defaults(
    client: FlaskClient, session: Session, owner: tuple[User, Organization]
) -> None:
    user, org = owner
    resp = _post(client, session, user, _body(org.id))
    assert resp.status_code == 201, resp.json
    attrs = resp.json["data"]["attributes"]
    assert attrs["threshold_ppm"] == 1500
    assert attrs["duration_s"] == 600
    assert attrs["hysteresis_ppm"] == 100
    assert attrs["time_zone"] == "Europe/Berlin"
    silent = _post(client, session, user, _body(org.id, kind="silent", name="Tresen"))
    assert silent.json["data"]["attributes"]["duration_s"] == 7200


def test_a_rules_name_is_trimmed(
    client: FlaskClient, session: Session, owner: tuple[User, Organization]
) -> None:
    """The name heads every alert mail: white space around it is a typing slip."""
    user, org = owner
    resp = _post(client, session, user, _body(org.id, name="  Klasse 5a\t"))
    assert resp.status_code == 201, resp.json
    assert resp.json["data"]["attributes"]["name"] == "Klasse 5a"


@pytest.mark.parametrize(
    ("attributes", "pointer"),
    [
        ({"kind": "smoke"}, "/data/attributes/kind"),
        ({"threshold_ppm": 0}, "/data/attributes/threshold_ppm"),
        ({"threshold_ppm": None}, "/data/attributes/threshold_ppm"),
        ({"time_zone": "Mars/Olympus"}, "/data/attributes/time_zone"),
        # folders and names too long for a file were a 500 (OSError)
        ({"time_zone": "Europe"}, "/data/attributes/time_zone"),
        ({"time_zone": "Etc"}, "/data/attributes/time_zone"),
        ({"time_zone": "a" * 300}, "/data/attributes/time_zone"),
        # files of the zone folder that are no place's zone
        ({"time_zone": "localtime"}, "/data/attributes/time_zone"),
        ({"time_zone": "right/UTC"}, "/data/attributes/time_zone"),
        ({"time_zone": "posixrules"}, "/data/attributes/time_zone"),
        ({"time_zone": "Factory"}, "/data/attributes/time_zone"),
        # a rule that could never fire, or never clear
        (
            {"threshold_ppm": 1000, "hysteresis_ppm": 1000},
            "/data/attributes/hysteresis_ppm",
        ),
        ({"active_from": "00:00", "active_to": "00:00"}, "/data/attributes/active_to"),
        ({"active_weekdays": [1, 1]}, "/data/attributes/active_weekdays"),
        ({"active_from": "08:00"}, "/data/attributes/active_to"),
        (
            {"active_from": "25:00", "active_to": "09:00"},
            "/data/attributes/active_from",
        ),
        ({"active_weekdays": [0]}, "/data/attributes/active_weekdays/0"),
        (
            {"threshold_ppm": 500, "hysteresis_ppm": 600},
            "/data/attributes/hysteresis_ppm",
        ),
        ({"duration_s": 0}, "/data/attributes/duration_s"),
    ],
)
def test_bad_values_are_400_at_their_pointer(
    client: FlaskClient,
    session: Session,
    owner: tuple[User, Organization],
    attributes: dict[str, Any],
    pointer: str,
) -> None:
    user, org = owner
    before = session.query(AlertRule).count()
    resp = _post(client, session, user, _body(org.id, **attributes))
    assert resp.status_code == 400, resp.json
    assert resp.json["errors"][0]["source"]["pointer"] == pointer
    assert session.query(AlertRule).count() == before


def test_a_long_weekday_list_is_one_error(
    client: FlaskClient, session: Session, owner: tuple[User, Organization]
) -> None:
    """100,000 items were 100,000 errors (a 20 MB answer to a 300 kB request)."""
    user, org = owner
    resp = _post(client, session, user, _body(org.id, active_weekdays=[0] * 100_000))
    assert resp.status_code == 400
    assert json_of(resp)["errors"] == [
        {
            "status": "400",
            "code": "invalid",
            "title": "Invalid request",
            "detail": "Longer than maximum length 7.",
            "source": {"pointer": "/data/attributes/active_weekdays"},
        }
    ]


def test_a_site_of_another_organization_is_refused(
    client: FlaskClient, session: Session, owner: tuple[User, Organization]
) -> None:
    user, org = owner
    other = make_organization(session)
    make_membership(session, user, other, Role.OWNER)
    doc = _body(org.id)
    site = make_site(session, other)
    doc["data"]["relationships"]["site"] = {
        "data": {"type": "Site", "id": str(site.id)}
    }
    resp = _post(client, session, user, doc)
    assert resp.status_code == 400
    assert resp.json["errors"][0]["source"]["pointer"] == "/data/relationships/site"


def test_lists_show_only_the_callers_organizations(
    client: FlaskClient, session: Session, owner: tuple[User, Organization]
) -> None:
    user, org = owner
    other = make_organization(session)
    mine = make_alert_rule(session, org)
    theirs = make_alert_rule(session, other)
    make_alert(session, mine, make_room(session, make_site(session, org)))
    make_alert(session, theirs, make_room(session, make_site(session, other)))
    headers = auth_headers(session, user)
    for path in ("/api/v1/alert-rules/", "/api/v1/alerts/"):
        listed = json_of(client.get(path, headers=headers))["data"]
        assert len(listed) == 1, path
        aimed = client.get(f"{path}?filter[organization]={other.id}", headers=headers)
        assert aimed.status_code == 200
        assert json_of(aimed)["data"] == [], path


def test_alert_filters_are_checked(
    client: FlaskClient, session: Session, owner: tuple[User, Organization]
) -> None:
    user, org = owner
    rule = make_alert_rule(session, org)
    make_alert(session, rule, make_room(session, make_site(session, org)))
    headers = auth_headers(session, user)
    bad = client.get("/api/v1/alerts/?filter[state]=burning", headers=headers)
    assert bad.status_code == 400
    assert json_of(bad)["errors"][0]["source"]["parameter"] == "filter[state]"
    open_ = client.get("/api/v1/alerts/?filter[state]=open", headers=headers)
    assert [a["attributes"]["state"] for a in json_of(open_)["data"]] == ["open"]
    cleared = client.get("/api/v1/alerts/?filter[state]=cleared", headers=headers)
    assert json_of(cleared)["data"] == []
    reversed_ = client.get(
        "/api/v1/alerts/?filter[from]=2000000000&filter[to]=1000000000",
        headers=headers,
    )
    assert reversed_.status_code == 400  # was 200 with nothing
    assert json_of(reversed_)["errors"][0]["source"]["parameter"] == "filter[from]"
    same = client.get(
        "/api/v1/alerts/?filter[from]=1000000000&filter[to]=1000000000",
        headers=headers,
    )
    assert same.status_code == 200


def test_a_member_sets_only_their_own_preference(
    client: FlaskClient, session: Session, owner: tuple[User, Organization]
) -> None:
    _, org = owner
    member, peer = make_user(session), make_user(session)
    own = make_membership(session, member, org)
    theirs = make_membership(session, peer, org)
    headers = auth_headers(session, member)

    def _patch(ms_id: int, attributes: dict[str, Any]) -> Any:
        doc = {
            "data": {"type": "Membership", "id": str(ms_id), "attributes": attributes}
        }
        return client.patch(
            f"/api/v1/memberships/{ms_id}/",
            data=json.dumps(doc),
            content_type=JSONAPI,
            headers=headers,
        )

    assert _patch(own.id, {"notify_alerts": True}).json["data"]["attributes"][
        "notify_alerts"
    ]
    assert _patch(theirs.id, {"notify_alerts": True}).status_code == 403
    assert _patch(own.id, {"notify_alerts": True, "role": "O"}).status_code == 403
    session.refresh(own)
    assert own.notify_alerts
    assert own.role == Role.INSPECTOR


def _send(
    client: FlaskClient,
    session: Session,
    user: User,
    method: str,
    rule: AlertRule,
    attributes: dict[str, Any],
    **relationships: Any,
) -> Any:
    data: dict[str, Any] = {
        "type": "AlertRule",
        "id": str(rule.id),
        "attributes": attributes,
    }
    if relationships:
        data["relationships"] = relationships
    return client.open(
        f"/api/v1/alert-rules/{rule.id}/",
        method=method,
        data=json.dumps({"data": data}),
        content_type=JSONAPI,
        headers=auth_headers(session, user),
    )


@pytest.mark.parametrize(
    ("method", "attributes"),
    [
        ("PATCH", {"kind": "silent"}),
        ("PUT", {"name": "Tresen", "kind": "silent"}),
        ("PUT", {"name": "Tresen", "kind": "co2"}),
    ],
)
def test_a_change_of_kind_answers_the_rule(
    client: FlaskClient,
    session: Session,
    owner: tuple[User, Organization],
    method: str,
    attributes: dict[str, Any],
) -> None:
    """The answer shows the stored kind (it was a 500 after the commit)."""
    user, org = owner
    rule = make_alert_rule(session, org)
    session.commit()
    org_link = {"data": {"type": "Organization", "id": str(org.id)}}
    resp = _send(client, session, user, method, rule, attributes, organization=org_link)
    assert resp.status_code == 200, resp.json
    assert resp.json["data"]["attributes"]["kind"] == attributes["kind"]
    session.expire_all()
    assert session.get_one(AlertRule, rule.id).kind.value == attributes["kind"]


@pytest.mark.parametrize("name", ["site", "room"])
def test_another_tenants_place_and_a_missing_one_are_refused_alike(
    client: FlaskClient,
    session: Session,
    owner: tuple[User, Organization],
    name: str,
) -> None:
    """The same 400 at the relationship for both (the missing one was a foreign-key
    error without a pointer, naming the constraint)."""
    user, org = owner
    rule = make_alert_rule(session, org)
    site = make_site(session, make_organization(session))  # no public room
    theirs = site if name == "site" else make_room(session, site)
    kind = "Site" if name == "site" else "Room"
    answers = []
    for ident in (theirs.id, theirs.id + 100_000):
        link = {"data": {"type": kind, "id": str(ident)}}
        resp = assert_refused(
            client,
            "PATCH",
            f"/api/v1/alert-rules/{rule.id}/",
            400,
            unchanged=["alert_rules"],
            pointer=f"/data/relationships/{name}",
            data=json.dumps(
                {
                    "data": {
                        "type": "AlertRule",
                        "id": str(rule.id),
                        "relationships": {name: link},
                    }
                }
            ),
            content_type=JSONAPI,
            headers=auth_headers(session, user),
        )
        assert "constraint" not in resp.get_data(as_text=True)
        (error,) = json_of(resp)["errors"]
        answers.append({**error, "detail": error["detail"].replace(str(ident), "N")})
    assert answers[0] == answers[1]


def test_a_put_keeps_what_it_leaves_out_like_every_put(
    client: FlaskClient, session: Session, owner: tuple[User, Organization]
) -> None:
    """As the documentation of PUT says (and rooms, sites and nodes do)."""
    user, org = owner
    rule = make_alert_rule(session, org, threshold_ppm=1000, duration_s=60)
    session.commit()
    org_link = {"data": {"type": "Organization", "id": str(org.id)}}
    resp = _send(
        client,
        session,
        user,
        "PUT",
        rule,
        {"name": "cmp", "kind": "co2"},
        organization=org_link,
    )
    attrs = json_of(resp)["data"]["attributes"]
    assert (attrs["name"], attrs["threshold_ppm"], attrs["duration_s"]) == (
        "cmp",
        1000,
        60,
    )
