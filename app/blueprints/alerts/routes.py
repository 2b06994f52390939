"""``/api/v1/alert-rules/`` (OWNERs write, members read) and ``/api/v1/alerts/``."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.alerts.filters import AlertArgsSchema, RuleArgsSchema
from app.blueprints.alerts.render import RULE_TYPE, alert_resource, rule_resource
from app.blueprints.alerts.schemas import (
    ALERT_DOCUMENTS,
    RULE_DOCUMENTS,
    RuleAttributesSchema,
)
from app.blueprints.common import body
from app.db import transaction
from app.extensions import db
from app.jsonapi import (
    JsonApiBlueprint,
    ResourceInput,
    parse_query_params,
    parse_resource,
    relationship_id,
)
from app.jsonapi.attributes import load_attributes
from app.services import access
from app.services.alerts import listing, rules
from app.services.tenancy.unset import UNSET, Unset

blp = JsonApiBlueprint(
    "alerts",
    __name__,
    url_prefix="/api/v1",
    description="Ventilation alerts: rules of organizations and the alerts they open.",
)

RULE_ORDER = ("organization", "name")
ALERT_ORDER = ("-opened",)
ATTRIBUTES = RuleAttributesSchema()


def _optional_link(res: ResourceInput, name: str, type_: str) -> int | Unset | None:
    if name not in res.relationships:
        return UNSET
    return relationship_id(res, name, type_, int, required=False)


def _write(res: ResourceInput, *, partial: bool) -> rules.RuleWrite:
    return rules.RuleWrite(
        attributes=load_attributes(ATTRIBUTES, res.attributes, partial=partial),
        organization_id=(
            relationship_id(res, "organization", "Organization", int)
            if "organization" in res.relationships or not partial
            else UNSET
        ),
        site_id=_optional_link(res, "site", "Site"),
        room_id=_optional_link(res, "room", "Room"),
    )


@blp.route("/alert-rules/")
class RuleList(MethodView):
    @blp.arguments(RuleArgsSchema, location="query")
    @docs.lists(blp, RULE_DOCUMENTS, docs.sort_parameter(*RULE_ORDER))
    def get(self, args: dict[str, Any]) -> ResponseReturnValue:
        """List the alert rules of your organizations."""
        params = parse_query_params(order=RULE_ORDER)
        params.check_include(())
        filters = rules.RuleFilters(**args)
        listing_ = rules.list_rules(
            db.session(), current_actor(), filters, docs.page(params)
        )
        return docs.paged(listing_, params, rule_resource)

    @docs.creates(blp, RULE_DOCUMENTS)
    def post(self) -> ResponseReturnValue:
        """Create an alert rule for an organization you own."""
        actor = current_actor()
        access.require_owner_somewhere(actor)  # 401, 403 whatever the body
        res = parse_resource(body(), RULE_TYPE)
        org_id = relationship_id(res, "organization", "Organization", int)
        with transaction() as session:
            rules.require_may_create(session, actor, org_id)  # 403 before 400
            rule = rules.create_rule(
                session,
                actor,
                _write(res, partial=False),
                current_app.config["ANALYSIS_TIMEZONE"],
            )
            document = docs.one(rule_resource(rule))  # a failure rolls back
        return docs.created(document)


@blp.route("/alert-rules/<int:pk>/")
class RuleItem(MethodView):
    @docs.reads(blp, RULE_DOCUMENTS)
    def get(self, pk: int) -> ResponseReturnValue:
        """Get an alert rule of one of your organizations."""
        params = parse_query_params()
        params.check_include(())
        rule = rules.get_rule(db.session(), current_actor(), pk)
        return docs.one(rule_resource(rule), params)

    @docs.updates(blp, RULE_DOCUMENTS)
    def patch(self, pk: int) -> ResponseReturnValue:
        """Change an alert rule (OWNER)."""
        return _update(pk, partial=True)

    @docs.updates(blp, RULE_DOCUMENTS, partial=False)
    def put(self, pk: int) -> ResponseReturnValue:
        """Replace an alert rule (OWNER).

        ``name``, ``kind`` and the organization are required; attributes left
        out keep their values, as in every PUT of this API (Managair's too).
        """
        return _update(pk, partial=False)

    def delete(self, pk: int) -> ResponseReturnValue:
        """Delete an alert rule and its alerts (OWNER)."""
        with transaction() as session:
            rules.delete_rule(session, current_actor(), pk)
        return docs.no_content()


def _update(pk: int, *, partial: bool) -> ResponseReturnValue:
    actor = current_actor()
    with transaction() as session:
        rules.require_changeable(session, actor, pk)  # 401, 404, 403 before 400
        res = parse_resource(body(), RULE_TYPE, pk, require_id=True)
        rule = rules.update_rule(session, actor, pk, _write(res, partial=partial))
        document = docs.one(rule_resource(rule))  # a failure rolls back
    return document


@blp.route("/alerts/")
class AlertList(MethodView):
    @blp.arguments(AlertArgsSchema, location="query")
    @docs.lists(blp, ALERT_DOCUMENTS, docs.sort_parameter(*ALERT_ORDER))
    def get(self, args: dict[str, Any]) -> ResponseReturnValue:
        """List the alerts of your organizations, newest first."""
        params = parse_query_params(order=ALERT_ORDER)
        params.check_include(())
        filters = listing.AlertFilters(**args)
        found = listing.list_alerts(
            db.session(), current_actor(), filters, docs.page(params)
        )
        return docs.paged(found, params, alert_resource)


@blp.route("/alerts/<int:pk>/")
@docs.reads(blp, ALERT_DOCUMENTS)
def alert_item(pk: int) -> ResponseReturnValue:
    """Get an alert of one of your organizations."""
    params = parse_query_params()
    params.check_include(())
    alert = listing.get_alert(db.session(), current_actor(), pk)
    return docs.one(alert_resource(alert), params)
