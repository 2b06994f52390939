"""The back office's alerts page: every rule, the open alerts and the alerts' outbox."""

from __future__ import annotations

from flask_admin import expose

from flask.typing import ResponseReturnValue

from app.admin.base import StaffView, back_office_actor
from app.extensions import db
from app.services.alerts import admin


class AlertsView(StaffView):
    """Read-only: rules are written by the organizations' OWNERs over the API."""

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """Show rules, open alerts and the message outbox."""
        summary = admin.overview(db.session(), back_office_actor())
        return self.render("admin/alerts.html", summary=summary)
