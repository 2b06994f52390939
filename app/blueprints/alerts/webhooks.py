"""``/api/v1/alert-webhooks/``: an organization's signed alert webhook (OWNERs write)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.authn import current_actor
from app.blueprints import docs
from app.blueprints.alerts.filters import WebhookArgsSchema
from app.blueprints.alerts.render import WEBHOOK_TYPE, webhook_resource
from app.blueprints.alerts.schemas import WEBHOOK_DOCUMENTS, WebhookAttributesSchema
from app.blueprints.common import body
from app.db import transaction
from app.extensions import db
from app.jsonapi import (
    JsonApiBlueprint,
    parse_query_params,
    parse_resource,
    relationship_id,
)
from app.jsonapi.attributes import load_attributes
from app.services import access
from app.services.alerts import rules, webhooks

blp = JsonApiBlueprint(
    "alert_webhooks",
    __name__,
    url_prefix="/api/v1",
    description="Where an organization's alert messages are posted, signed.",
)

ATTRIBUTES = WebhookAttributesSchema()


def _allow_private() -> bool:
    return bool(current_app.config["ALERTS_WEBHOOK_ALLOW_PRIVATE"])


@blp.route("/alert-webhooks/")
class WebhookList(MethodView):
    @blp.arguments(WebhookArgsSchema, location="query")
    @docs.lists(blp, WEBHOOK_DOCUMENTS)
    def get(self, args: dict[str, Any]) -> ResponseReturnValue:
        """List the alert webhooks of your organizations (without their secrets)."""
        params = parse_query_params()
        params.check_include(())
        actor = current_actor()
        found = webhooks.list_webhooks(db.session(), actor, docs.page(params), **args)
        return docs.paged(found, params, lambda hook: webhook_resource(hook, actor))

    @docs.creates(blp, WEBHOOK_DOCUMENTS)
    def post(self) -> ResponseReturnValue:
        """Set the alert webhook of an organization you own (one per organization)."""
        actor = current_actor()
        access.require_owner_somewhere(actor)  # 401, 403 whatever the body
        res = parse_resource(body(), WEBHOOK_TYPE)
        org_id = relationship_id(res, "organization", "Organization", int)
        with transaction() as session:
            rules.require_may_create(session, actor, org_id)  # 403 before 400
            values = load_attributes(ATTRIBUTES, res.attributes, partial=False)
            hook = webhooks.create_webhook(
                session, actor, org_id, values, allow_private=_allow_private()
            )
            document = docs.one(webhook_resource(hook, actor))
        return docs.created(document)


@blp.route("/alert-webhooks/<int:pk>/")
class WebhookItem(MethodView):
    @docs.reads(blp, WEBHOOK_DOCUMENTS)
    def get(self, pk: int) -> ResponseReturnValue:
        """Get an alert webhook of one of your organizations (without its secret)."""
        params = parse_query_params()
        params.check_include(())
        actor = current_actor()
        hook = webhooks.get_webhook(db.session(), actor, pk)
        return docs.one(webhook_resource(hook, actor), params)

    @docs.updates(blp, WEBHOOK_DOCUMENTS)
    def patch(self, pk: int) -> ResponseReturnValue:
        """Change an alert webhook's address or secret (OWNER)."""
        actor = current_actor()
        with transaction() as session:
            webhooks.require_changeable(session, actor, pk)  # 401, 404, 403 first
            res = parse_resource(body(), WEBHOOK_TYPE, pk, require_id=True)
            values = load_attributes(ATTRIBUTES, res.attributes, partial=True)
            org_id = (
                relationship_id(res, "organization", "Organization", int)
                if "organization" in res.relationships
                else None
            )
            hook = webhooks.update_webhook(
                session,
                actor,
                pk,
                values,
                organization_id=org_id,
                allow_private=_allow_private(),
            )
            document = docs.one(webhook_resource(hook, actor))
        return document

    def delete(self, pk: int) -> ResponseReturnValue:
        """Remove an alert webhook (OWNER): its organization's calls stop."""
        with transaction() as session:
            webhooks.delete_webhook(session, current_actor(), pk)
        return docs.no_content()
