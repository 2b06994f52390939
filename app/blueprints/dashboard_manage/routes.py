"""``/dashboard/manage/``: an organization's inventory and members, changed by its OWNERs.

Each form posts to a route of its own and, on success, redirects back (303) with
a flashed message. A refused value re-renders the page with that form, its
errors at the fields the errors' JSON pointers name, and the error's status
(400, 409). Authorization comes first: not signed in is 401 (a GET goes to the
sign-in page); a POST for an organization the caller does not own is 403 before
anything is looked up or any value read; a row form (end, publicity, role) naming
an installation or membership of another organization is 404, even when the
caller owns that one too; a page of an invisible organization is 404, of a
visible one the caller is no member of 403. CSRF is
checked for every browser-session POST before the view runs (:mod:`app.authn`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask_babel import gettext
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, generate_csrf

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from sqlalchemy.orm import Session

from app.authn import current_actor
from app.blueprints.accounts.forms import ButtonForm
from app.blueprints.accounts.helpers import show_errors
from app.blueprints.dashboard_manage import actions
from app.blueprints.dashboard_manage.forms import (
    ROLE_CHOICES,
    InstallForm,
    InviteForm,
    NodeForm,
    PublicityForm,
    RoleForm,
    RoomForm,
    SiteForm,
)
from app.blueprints.dashboard_manage.page import OrganizationPage, load, my_memberships
from app.db import transaction
from app.errors import ConflictError, DomainError, UnauthenticatedError, ValidationError
from app.extensions import db
from app.models.types import utcnow
from app.services import access
from app.services.access import Actor

blp = Blueprint("dashboard_manage", __name__, url_prefix="/dashboard/manage")

#: Pointer names that are not the form field's name.
FIELDS = {"from_timestamp_s": "start", "to_timestamp_s": "start", "user": "email"}
Action = Callable[[Session, Actor], str]
F = TypeVar("F")


@dataclass
class Forms:
    """Every form of the page; the one just sent keeps its values and errors.

    ``roles``, ``publicity`` and ``end`` hold only a row form just sent: a page
    with a hundred installations would spend most of its time rendering a form
    object per row.
    """

    site: SiteForm
    room: RoomForm
    node: NodeForm
    install: InstallForm
    invite: InviteForm
    leave: ButtonForm
    roles: dict[int, RoleForm] = field(default_factory=dict)
    publicity: dict[int, PublicityForm] = field(default_factory=dict)
    end: dict[int, ButtonForm] = field(default_factory=dict)


@blp.after_request
def _page_headers(response: Response) -> Response:
    """The pages name people and inventory: no shared cache may keep them."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@blp.errorhandler(DomainError)
def _refused(error: DomainError) -> ResponseReturnValue:
    if isinstance(error, UnauthenticatedError) and request.method == "GET":
        return redirect(url_for("accounts.login", next=request.path))
    return _error_page(error.status, error.detail)


@blp.errorhandler(CSRFError)
def _csrf_failed(error: CSRFError) -> ResponseReturnValue:
    # What to do, in the page's language (Flask-WTF's reasons are English only).
    return _error_page(
        403,
        gettext(
            "This form could not be verified. Please go back, reload the page "
            "and try again."
        ),
    )


def _error_page(status: int, detail: str) -> Response:
    html = render_template("dashboard_manage/error.html", status=status, detail=detail)
    return make_response(html, status)


@blp.get("/")
def organizations() -> ResponseReturnValue:
    """List the organizations the signed-in user belongs to."""
    mine = my_memberships(db.session(), current_actor())
    return render_template("dashboard_manage/organizations.html", memberships=mine)


@blp.get("/<int:org_id>/")
def organization(org_id: int) -> ResponseReturnValue:
    """Show an organization's sites, rooms, nodes, installations and members."""
    return _render(org_id)


@blp.post("/<int:org_id>/sites/")
def add_site(org_id: int) -> ResponseReturnValue:
    """Add a site with its address."""
    form = _owner_form(org_id, SiteForm, "site")
    return _submit(
        org_id, {"site": form}, form, lambda s, a: actions.add_site(s, a, org_id, form)
    )


@blp.post("/<int:org_id>/rooms/")
def add_room(org_id: int) -> ResponseReturnValue:
    """Add a room to one of the organization's sites."""
    form = _owner_form(org_id, RoomForm, "room")
    return _submit(
        org_id, {"room": form}, form, lambda s, a: actions.add_room(s, a, form)
    )


@blp.post("/<int:org_id>/nodes/")
def add_node(org_id: int) -> ResponseReturnValue:
    """Register a node."""
    form = _owner_form(org_id, NodeForm, "node")
    return _submit(
        org_id, {"node": form}, form, lambda s, a: actions.add_node(s, a, org_id, form)
    )


@blp.post("/<int:org_id>/installations/")
def install(org_id: int) -> ResponseReturnValue:
    """Install a node in a room."""
    form = _owner_form(org_id, InstallForm, "install")
    zone = str(current_app.config["ANALYSIS_TIMEZONE"])
    return _submit(
        org_id,
        {"install": form},
        form,
        lambda s, a: actions.install(s, a, form, zone),
    )


@blp.post("/<int:org_id>/installations/<int:inst_id>/end/")
def end_installation(org_id: int, inst_id: int) -> ResponseReturnValue:
    """End an installation now."""
    form = _owner_form(org_id, ButtonForm, f"end{inst_id}")
    zone = str(current_app.config["ANALYSIS_TIMEZONE"])
    return _submit(
        org_id,
        {"end": {inst_id: form}},
        form,
        lambda s, a: actions.end_installation(s, a, org_id, inst_id, zone),
    )


@blp.post("/<int:org_id>/installations/<int:inst_id>/publicity/")
def set_publicity(org_id: int, inst_id: int) -> ResponseReturnValue:
    """Make an installation public or private."""
    form = _owner_form(org_id, PublicityForm, f"pub{inst_id}")
    return _submit(
        org_id,
        {"publicity": {inst_id: form}},
        form,
        lambda s, a: actions.set_publicity(
            s, a, org_id, inst_id, form.is_public.data == "1"
        ),
    )


@blp.post("/<int:org_id>/members/")
def invite(org_id: int) -> ResponseReturnValue:
    """Add a member by e-mail address."""
    form = _owner_form(org_id, InviteForm, "invite")
    return _submit(
        org_id, {"invite": form}, form, lambda s, a: actions.invite(s, a, org_id, form)
    )


@blp.post("/<int:org_id>/memberships/<int:membership_id>/role/")
def set_role(org_id: int, membership_id: int) -> ResponseReturnValue:
    """Change a member's role."""
    form = _owner_form(org_id, RoleForm, f"role{membership_id}")
    return _submit(
        org_id,
        {"roles": {membership_id: form}},
        form,
        lambda s, a: actions.set_role(s, a, org_id, membership_id, form),
    )


@blp.post("/<int:org_id>/leave/")
def leave(org_id: int) -> ResponseReturnValue:
    """Leave the organization (OWNERs; the last OWNER cannot)."""
    form = _owner_form(org_id, ButtonForm, "leave")
    view = load(db.session(), current_actor(), org_id)
    return _submit(
        org_id,
        {"leave": form},
        form,
        lambda s, a: actions.leave(s, a, view.own_membership_id),
        url_for(".organizations"),
    )


def _owner_form(org_id: int, form_class: Callable[..., F], prefix: str) -> F:
    """Check that the caller is an OWNER of ``org_id``; return the sent form.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the caller is not an OWNER of it (whether it exists or not).
        NotFoundError: it does not exist any more.
    """
    session, actor = db.session(), current_actor()
    # From the caller's roles alone, before any lookup: a 403 for every
    # organization one does not own, existing or not, so nothing is probed.
    access.require_owner(actor, org_id)
    view = load(session, actor, org_id)
    form = form_class(prefix=prefix)
    _offer_choices(form, view)
    return form


def _submit(
    org_id: int,
    bound: Mapping[str, Any],
    form: FlaskForm,
    action: Action,
    done: str | None = None,
) -> ResponseReturnValue:
    """Validate ``form``, run ``action`` in one transaction, redirect or show errors."""
    if not form.validate_on_submit():
        return _render(org_id, bound, 400)
    try:
        with transaction() as session:
            message = action(session, current_actor())
    except (ValidationError, ConflictError) as exc:
        show_errors(form, exc, FIELDS)
        return _render(org_id, bound, exc.status)
    flash(message)
    return redirect(done or url_for(".organization", org_id=org_id), 303)


def _render(
    org_id: int, bound: Mapping[str, Any] | None = None, status: int = 200
) -> Response:
    view = load(db.session(), current_actor(), org_id)
    forms = _forms(view, bound or {})
    html = render_template(
        "dashboard_manage/organization.html",
        view=view,
        forms=forms,
        zone=ZoneInfo(current_app.config["ANALYSIS_TIMEZONE"]),
        now=utcnow(),
        csrf=generate_csrf(),
        csrf_field=current_app.config["WTF_CSRF_FIELD_NAME"],
        role_choices=ROLE_CHOICES,
    )
    return make_response(html, status)


def _forms(view: OrganizationPage, bound: Mapping[str, Any]) -> Forms:
    """Fresh forms for the page, except those in ``bound`` (sent, with errors)."""
    forms = Forms(
        site=bound.get("site") or SiteForm(formdata=None, prefix="site"),
        room=bound.get("room") or RoomForm(formdata=None, prefix="room"),
        node=bound.get("node") or NodeForm(formdata=None, prefix="node"),
        install=bound.get("install") or InstallForm(formdata=None, prefix="install"),
        invite=bound.get("invite") or InviteForm(formdata=None, prefix="invite"),
        leave=bound.get("leave") or ButtonForm(formdata=None, prefix="leave"),
    )
    for each in (forms.room, forms.node, forms.install):
        _offer_choices(each, view)
    # One-button rows are plain markup in the template (the same field names and
    # token): only a row just sent keeps a form object, for its errors.
    forms.roles.update(bound.get("roles", {}))
    forms.publicity.update(bound.get("publicity", {}))
    forms.end.update(bound.get("end", {}))
    return forms


def _offer_choices(form: FlaskForm, view: OrganizationPage) -> None:
    """Fill the select fields with the organization's sites, rooms, nodes, catalogue."""
    site_names = {s.id: s.name for s in view.sites}
    if isinstance(form, RoomForm):
        form.site.choices = [(s.id, s.name) for s in view.sites]
    elif isinstance(form, NodeForm):
        form.protocol.choices = [(p.id, p.identifier) for p in view.protocols]
        form.model.choices = [
            (m.id, f"{m.trade_name} ({m.manufacturer})") for m in view.models
        ]
    elif isinstance(form, InstallForm):
        form.node.choices = [(str(n.id), f"{n.alias} ({n.eui64})") for n in view.nodes]
        form.room.choices = [
            (r.id, f"{r.name} · {site_names.get(r.site_id, '')}") for r in view.rooms
        ]
