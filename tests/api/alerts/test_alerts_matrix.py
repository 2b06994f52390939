"""Authorization matrix of alert rules, alerts and the members' alert preference.

Rules and alerts are members-only: anonymous callers get 401, members of the
organization read them, its OWNERs write rules, and nobody sees anything of an
organization they do not belong to (404), staff included. Alerts are written by
the jobs process only (405 to every write). An organization's webhook is read
like a rule and written by its OWNERs (one per organization: a second is 409). A member may set their own
``notify_alerts``; other changes of their membership stay the OWNERs'.
"""

from __future__ import annotations

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Role
from tests.api.matrix import Case, World, cases, check, delete, get, patch, post, row
from tests.factories import (
    make_alert,
    make_alert_rule,
    make_alert_webhook,
    make_membership,
    make_organization,
    make_room,
    make_site,
    make_user,
)


def build_world(session: Session) -> World:
    """Organization ``mine`` (owner, inspector) and ``other`` (a stranger's)."""
    owner, inspector, outsider, stranger = (
        make_user(session, username=name)
        for name in ("owner", "inspector", "outsider", "stranger")
    )
    staff = make_user(session, username="staff", is_staff=True)
    mine, other = make_organization(session), make_organization(session)
    make_membership(session, owner, mine, Role.OWNER)
    m_inspector = make_membership(session, inspector, mine)
    make_membership(session, stranger, other, Role.OWNER)
    ids: dict[str, int] = {"mine": mine.id, "other": other.id}
    ids["m_inspector"] = m_inspector.id
    for name, org in (("mine", mine), ("other", other)):
        room = make_room(session, make_site(session, org))
        rule = make_alert_rule(session, org)
        ids[f"rule_{name}"] = rule.id
        ids[f"alert_{name}"] = make_alert(session, rule, room).id
        ids[f"hook_{name}"] = make_alert_webhook(session, org).id
    return World(
        actors={
            "anonymous": None,
            "outsider": outsider,
            "inspector": inspector,
            "owner": owner,
            "staff": staff,
        },
        ids=ids,
    )


def _rule(org: str) -> dict[str, object]:
    return {
        "data": {
            "type": "AlertRule",
            "attributes": {"name": "Klasse 5a", "kind": "co2"},
            "relationships": {
                "organization": {
                    "data": {"type": "Organization", "id": "{" + org + "}"}
                }
            },
        }
    }


def _hook(org: str) -> dict[str, object]:
    return {
        "data": {
            "type": "AlertWebhook",
            "attributes": {"url": "https://hooks.example.org/", "secret": "s" * 16},
            "relationships": {
                "organization": {
                    "data": {"type": "Organization", "id": "{" + org + "}"}
                }
            },
        }
    }


def _change(type_: str, ref: str, **attributes: object) -> dict[str, object]:
    return {"data": {"type": type_, "id": "{" + ref + "}", "attributes": attributes}}


RULE = "/api/v1/alert-rules/{%s}/"
ALERT = "/api/v1/alerts/{%s}/"
HOOK = "/api/v1/alert-webhooks/{%s}/"
MEMBERSHIP = "/api/v1/memberships/{m_inspector}/"
LIST = {"anonymous": 401, "outsider": 200, "inspector": 200, "owner": 200, "staff": 200}
READ_MINE = {
    "anonymous": 401,
    "outsider": 404,
    "inspector": 200,
    "owner": 200,
    "staff": 404,
}
NOBODY = {
    "anonymous": 401,
    "outsider": 404,
    "inspector": 404,
    "owner": 404,
    "staff": 404,
}
ALL_405 = {a: 405 for a in ("anonymous", "outsider", "inspector", "owner", "staff")}

# fmt: off
ROWS = [
    row("alert-rules", "list", "-", get("/api/v1/alert-rules/"), **LIST),
    row("alert-rules", "read", "mine", get(RULE % "rule_mine"), **READ_MINE),
    row("alert-rules", "read", "other", get(RULE % "rule_other"), **NOBODY),
    row("alert-rules", "create", "mine", post("/api/v1/alert-rules/", _rule("mine")),
        anonymous=401, outsider=403, inspector=403, owner=201, staff=403),
    row("alert-rules", "create", "other", post("/api/v1/alert-rules/", _rule("other")),
        anonymous=401, outsider=403, inspector=403, owner=400, staff=403),
    row("alert-rules", "update", "mine", patch(RULE % "rule_mine", _change("AlertRule", "rule_mine", name="x")),
        anonymous=401, outsider=404, inspector=403, owner=200, staff=404),
    row("alert-rules", "update", "other",
        patch(RULE % "rule_other", _change("AlertRule", "rule_other", name="x")), **NOBODY),
    row("alert-rules", "delete", "mine", delete(RULE % "rule_mine"),
        anonymous=401, outsider=404, inspector=403, owner=204, staff=404),
    row("alert-rules", "delete", "other", delete(RULE % "rule_other"), **NOBODY),
    row("alerts", "list", "-", get("/api/v1/alerts/"), **LIST),
    row("alerts", "read", "mine", get(ALERT % "alert_mine"), **READ_MINE),
    row("alerts", "read", "other", get(ALERT % "alert_other"), **NOBODY),
    row("alerts", "create", "-", post("/api/v1/alerts/", {"data": {"type": "Alert"}}),
        **ALL_405),
    row("alerts", "delete", "mine", delete(ALERT % "alert_mine"), **ALL_405),
    row("alert-webhooks", "list", "-", get("/api/v1/alert-webhooks/"), **LIST),
    row("alert-webhooks", "read", "mine", get(HOOK % "hook_mine"), **READ_MINE),
    row("alert-webhooks", "read", "other", get(HOOK % "hook_other"), **NOBODY),
    row("alert-webhooks", "create", "mine (has one)", post("/api/v1/alert-webhooks/", _hook("mine")),
        anonymous=401, outsider=403, inspector=403, owner=409, staff=403),
    row("alert-webhooks", "create", "other", post("/api/v1/alert-webhooks/", _hook("other")),
        anonymous=401, outsider=403, inspector=403, owner=400, staff=403),
    row("alert-webhooks", "update", "mine", patch(HOOK % "hook_mine", _change("AlertWebhook", "hook_mine", secret="t" * 16)),
        anonymous=401, outsider=404, inspector=403, owner=200, staff=404),
    row("alert-webhooks", "update", "other",
        patch(HOOK % "hook_other", _change("AlertWebhook", "hook_other", secret="t" * 16)), **NOBODY),
    row("alert-webhooks", "delete", "mine", delete(HOOK % "hook_mine"),
        anonymous=401, outsider=404, inspector=403, owner=204, staff=404),
    row("alert-webhooks", "delete", "other", delete(HOOK % "hook_other"), **NOBODY),
    row("memberships", "notify_alerts", "inspector's own", patch(MEMBERSHIP, _change("Membership", "m_inspector", notify_alerts=True)),
        anonymous=401, outsider=404, inspector=200, owner=200, staff=404),
]
# fmt: on


@pytest.mark.parametrize("case", cases(ROWS), ids=str)
def test_alerts_matrix(client: FlaskClient, session: Session, case: Case) -> None:
    check(client, session, build_world(session), case)
