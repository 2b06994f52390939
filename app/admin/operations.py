"""Operations pages: ingest tokens, analyst roles, jobs, publisher outbox, fidelity."""

from __future__ import annotations

from typing import Any

from flask_admin import expose
from flask_babel import gettext

from flask import current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from sqlalchemy import select

from app.admin.base import StaffView, back_office_actor, shown
from app.db import transaction
from app.errors import DomainError, ValidationError
from app.extensions import db
from app.jobs import resolve
from app.jobs.runner import JobRunner, Outcome
from app.jsonapi.guard import unstorable_character
from app.models import Organization
from app.services.fidelity import overview
from app.services.ingest import token_admin
from app.services.ops import analysts, database, job_runs
from app.services.outbox import admin, publishers


def _organizations() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Organization.id, Organization.name).order_by(Organization.name)
    )
    return [(org_id, name) for org_id, name in rows]


#: Where the forms' organization choices are refused (the API's relationship).
ORGANIZATION_POINTER = "/data/relationships/organization"


def _organization_id(raw: str) -> int:
    """Return a submitted organization id; refuse anything no row can have.

    ``str.isdigit`` alone let ``"²"`` through to ``int`` (a 500), and an id
    past the key's range reached the database (a 400 page without the form).

    Raises:
        ValidationError: not a decimal number of at most 2**63 - 1.
    """
    if raw.isascii() and raw.isdigit() and int(raw) < 2**63:
        return int(raw)
    raise ValidationError(
        gettext('Invalid pk "%(pk)s" - object does not exist.', pk=shown(raw)),
        ORGANIZATION_POINTER,
    )


def _storable(label: str, text: str) -> str:
    """Return ``text`` of the field ``label``; refuse NUL, which no role,
    token or password can hold (a token's name reached the database: a bare
    400 page; a password was stored that no client can send).

    Raises:
        ValidationError: ``text`` holds NUL.
    """
    if unstorable_character(text):
        message = gettext("This field may not contain NUL characters.")
        raise ValidationError(f"{label}: {message}")
    return text


def _no_store(body: str) -> ResponseReturnValue:
    return body, 200, {"Cache-Control": "no-store"}


class IngestTokensView(StaffView):
    """Ingest tokens: issue one (its secret is shown once, on this page), revoke."""

    @expose("/", methods=("GET", "POST"))
    def index(self) -> ResponseReturnValue:
        """List the tokens; issue a new one."""
        issued = None
        errors: list[str] = []
        if request.method == "POST":
            raw = request.form.get("organization", "")
            try:
                name = _storable(gettext("Name"), request.form.get("name", ""))
                # Empty is "every organization"; anything else must name one.
                org_id = _organization_id(raw) if raw else None
                with transaction() as session:
                    issued = token_admin.issue(
                        session, back_office_actor(), name, org_id
                    )
            except DomainError as exc:
                errors = [item.detail for item in exc.details()]
        tokens = token_admin.list_ingest_tokens(db.session(), back_office_actor())
        return _no_store(
            self.render(
                "admin/ingest_tokens.html",
                tokens=tokens,
                issued=issued,
                errors=errors,
                organizations=_organizations(),
            )
        )

    @expose("/<int:token_id>/revoke/", methods=("POST",))
    def revoke(self, token_id: int) -> ResponseReturnValue:
        """Revoke a token."""
        try:
            with transaction() as session:
                token_admin.revoke(session, back_office_actor(), token_id)
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            flash(gettext("The token was revoked."), "success")
        return redirect(url_for(".index"))


class AnalystRolesView(StaffView):
    """Database roles of SQL analysts: create, list, drop."""

    @expose("/", methods=("GET", "POST"))
    def index(self) -> ResponseReturnValue:
        """List the roles; create one."""
        errors: list[str] = []
        if request.method == "POST":
            name = request.form.get("name", "").strip()
            try:
                new = analysts.NewAnalystRole(
                    name=name,
                    password=_storable(
                        gettext("Password"), request.form.get("password", "")
                    ),
                    organization_ids=tuple(
                        _organization_id(i)
                        for i in request.form.getlist("organizations")
                        if i
                    ),
                    public_data=request.form.get("public_data") == "on",
                    timezone=current_app.config["ANALYSIS_TIMEZONE"],
                )
                with transaction() as session:
                    analysts.create_analyst_role(session, back_office_actor(), new)
            except DomainError as exc:
                errors = [item.detail for item in exc.details()]
            else:
                flash(gettext("Role %(name)s was created.", name=new.name), "success")
                return redirect(url_for(".index"))
        roles = analysts.list_analyst_roles(db.session(), back_office_actor())
        return self.render(
            "admin/analyst_roles.html",
            roles=roles,
            errors=errors,
            organizations=_organizations(),
        )

    @expose("/<role_name>/drop/", methods=("POST",))
    def drop(self, role_name: str) -> ResponseReturnValue:
        """Drop a role."""
        # No role name holds NUL; with it the look-up was a database error (400).
        role_name = shown(role_name)
        try:
            with transaction() as session:
                analysts.drop_analyst_role(session, back_office_actor(), role_name)
        except DomainError as exc:
            flash(exc.detail, "error")
        else:
            flash(gettext("Role %(name)s was dropped.", name=role_name), "success")
        return redirect(url_for(".index"))


class JobsView(StaffView):
    """The scheduled jobs: last run, result, next run; run one now."""

    def _jobs(self) -> list[Any]:
        edition = database.timescale_info(db.session()).edition
        return resolve(current_app.config, edition)

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """List every job with its latest run."""
        back_office_actor()
        runs = job_runs.latest_runs(db.session())
        return self.render("admin/jobs.html", jobs=self._jobs(), runs=runs)

    @expose("/<job_id>/run/", methods=("POST",))
    def run(self, job_id: str) -> ResponseReturnValue:
        """Run a job now, under the same lock as the jobs process."""
        back_office_actor()
        job_id = shown(job_id)
        job = next((j for j in self._jobs() if j.spec.id == job_id), None)
        if job is None or not job.schedulable:
            flash(gettext("Job %(job)s does not run here.", job=job_id), "error")
            return redirect(url_for(".index"))
        runner = JobRunner(current_app._get_current_object())  # type: ignore[attr-defined]
        try:
            outcome = runner.run(job, force=True)
        finally:
            runner.close()
        if outcome is Outcome.OK:
            flash(gettext("Job %(job)s ran.", job=job_id), "success")
        elif outcome is Outcome.LOCKED:
            flash(gettext("Job %(job)s is running elsewhere.", job=job_id), "error")
        else:
            flash(gettext("Job %(job)s failed; see the log.", job=job_id), "error")
        return redirect(url_for(".index"))


class OutboxView(StaffView):
    """The publisher outbox: pending and parked rows per publisher; retry parked."""

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """Show the counts and the latest parked rows."""
        session, actor = db.session(), back_office_actor()
        names = publishers.enabled_names(current_app.config)
        return self.render(
            "admin/outbox.html",
            status=admin.status(session, actor, names),
            parked=admin.parked(session, actor),
        )

    @expose("/retry/", methods=("POST",))
    def retry(self) -> ResponseReturnValue:
        """Make parked rows (of one publisher, or all) due again."""
        publisher = request.form.get("publisher") or None
        with transaction() as session:
            count = admin.retry_parked(session, back_office_actor(), publisher)
        flash(gettext("%(count)d parked rows are due again.", count=count), "success")
        return redirect(url_for(".index"))


class FidelityOverviewView(StaffView):
    """Node liveness: nodes per verdict and the dead nodes."""

    @expose("/")
    def index(self) -> ResponseReturnValue:
        """Show the counts and the dead nodes."""
        summary = overview.overview(db.session(), back_office_actor())
        return self.render("admin/fidelity_overview.html", summary=summary)
