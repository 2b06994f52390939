"""The staff-only base of every back-office view, and writes through the services.

Every view, including the dashboard, mixes in :class:`StaffOnly`: a request
passes only with a browser session of a staff user. Anonymous browsers are sent
to ``/accounts/login/?next=...``; signed-in users who are not staff get a 403
page (a redirect to the log-in page would bounce straight back); the JSON
endpoints (Select2 look-ups, plot data) answer a JSON:API 403 to both.

Model views write through the same services as the API (:class:`ServiceModelView`),
so the admin enforces the same rules; a :class:`~app.errors.DomainError` is put
on the form field its pointer names, or flashed when no field matches.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from flask_admin import AdminIndexView, BaseView
from flask_admin.actions import action
from flask_admin.babel import gettext as admin_gettext
from flask_admin.babel import lazy_gettext as admin_lazy_gettext
from flask_admin.babel import ngettext as admin_ngettext
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.typefmt import DEFAULT_FORMATTERS
from flask_admin.contrib.sqla.validators import Unique
from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import FieldList, FormField, HiddenField
from wtforms.fields.core import UnboundField

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.admin.filters import FilterConverter
from app.admin.keys import KeyedAjaxLoader, key_value
from app.admin.row_actions import page_row_actions
from app.admin.versions import FIELD as VERSION_FIELD
from app.admin.versions import row_version
from app.authn import current_actor, current_credentials
from app.db import transaction
from app.errors import DomainError
from app.extensions import db
from app.jsonapi import error_object
from app.jsonapi.errors import json_error_document
from app.jsonapi.guard import unstorable_character
from app.jsonapi.handlers import domain_error_objects
from app.jsonapi.integrity import classify_integrity_error
from app.security import sessions
from app.security.csrf import FIELD_NAME
from app.services import access
from app.services.access import Actor

log = logging.getLogger(__name__)

#: View methods that answer JSON; they never redirect.
JSON_METHODS = frozenset({"ajax_lookup", "ajax_update"})
TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"
#: The last list page (0-based) a list goes to; its offset fits PostgreSQL's bigint.
MAX_PAGE = 1_000_000


def staff_signed_in() -> bool:
    """Whether the request comes from a browser session of a staff user."""
    return current_credentials().method == "session" and current_actor().is_staff


def refuse(json: bool) -> ResponseReturnValue:
    """Answer a request that is not from a staff user's browser session."""
    if json:
        obj = error_object(
            403,
            "permission_denied",
            gettext("Permission denied"),
            gettext("Only staff users may use the back office."),
        )
        return json_error_document(403, [obj])
    if sessions.current_user() is None:
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("accounts.login", next=target))
    return render_template("admin/forbidden.html"), 403


def json_domain_error(error: DomainError) -> ResponseReturnValue:
    """Answer a service's refusal on a JSON endpoint as the API would (the app's
    error handlers answer HTML pages under ``/admin/``; the pages' scripts read JSON).
    """
    return json_error_document(error.status, domain_error_objects(error))


def back_office_actor() -> Actor:
    """Return the authority of the signed-in staff user in the back office.

    Raises:
        ForbiddenError: not staff (the views' access check stops that earlier).
    """
    return access.back_office(current_actor())


def shown(text: str) -> str:
    """Return request text fit for a flashed message: NUL and lone surrogates
    become U+FFFD.

    Flashed messages travel in the session cookie, and a cookie holding NUL is
    refused when the next request opens the session: every later page of that
    browser answered 500, log-out included, until its cookies were cleared.
    """
    return "".join("\ufffd" if unstorable_character(c) else c for c in text)


def utc_time(view: Any, value: datetime, name: str = "") -> str:
    """Format a time for lists and details: UTC, to the second."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(TIME_FORMAT)


class AdminForm(FlaskForm):  # type: ignore[misc]
    """Flask-WTF form whose CSRF field is the one ``app.security.csrf`` checks.

    Flask-Admin's templates look for ``form.csrf_token``; the property hands
    them our ``csrfmiddlewaretoken`` field so delete and action forms carry it.
    """

    @property
    def csrf_token(self) -> Any:
        """The CSRF field, under the name Flask-Admin's templates use."""
        return self._fields.get(FIELD_NAME)

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate the fields; text with NUL is refused at its field.

        PostgreSQL text cannot hold NUL: it used to reach the database, whose
        refusal was a bare 400 page without the form (or what was typed).
        """
        valid = bool(super().validate(extra_validators))
        for field in _unstorable_fields(self):
            message = gettext("This field may not contain NUL characters.")
            field.errors = [*field.errors, message]
            valid = False
        return valid


def _unstorable_fields(fields: Iterable[Any]) -> Iterator[Any]:
    """The fields (inline forms' included) whose submitted text holds NUL."""
    for field in fields:
        if isinstance(field, FormField | FieldList):
            yield from _unstorable_fields(field)
        elif any(
            isinstance(raw, str) and unstorable_character(raw)
            for raw in getattr(field, "raw_data", None) or ()
        ):
            yield field


class StaffOnly:
    """Mixin for admin views: staff users with a browser session only."""

    json_methods: ClassVar[frozenset[str]] = JSON_METHODS

    def is_accessible(self) -> bool:
        """Whether the current request may use this view."""
        return staff_signed_in()

    def inaccessible_callback(self, name: str, **kwargs: Any) -> ResponseReturnValue:
        """Redirect anonymous browsers to the log-in page; refuse everyone else."""
        return refuse(name in self.json_methods)


class StaffIndexView(StaffOnly, AdminIndexView):  # type: ignore[misc]
    """The dashboard at ``/admin/``."""


class StaffView(StaffOnly, BaseView):  # type: ignore[misc]
    """A custom (non-model) back-office page."""


class StaffModelView(StaffOnly, ModelView):  # type: ignore[misc]
    """A model view: staff only, CSRF-protected forms, UTC times, secrets hidden."""

    form_base_class = AdminForm
    filter_converter = FilterConverter()
    #: flask-admin's list page with a cheaper row (``admin/model_list.html``).
    list_template = "admin/model_list.html"
    column_type_formatters: ClassVar[dict[type, Any]] = {
        **DEFAULT_FORMATTERS,
        datetime: utc_time,
    }
    column_type_formatters_detail: ClassVar[dict[type, Any]] = {
        **DEFAULT_FORMATTERS,
        datetime: utc_time,
    }
    can_view_details = True
    page_size = 50
    can_set_page_size = True
    page_size_options = (20, 50, 100)
    #: Never shown in lists, details or forms, whatever a subclass lists.
    secret_columns: ClassVar[tuple[str, ...]] = ("password_hash", "digest")

    def __init__(self, model: type[Any], **kwargs: Any) -> None:
        self.column_exclude_list = (
            *(getattr(self, "column_exclude_list", None) or ()),
            *self.secret_columns,
        )
        self.column_details_exclude_list = (
            *(getattr(self, "column_details_exclude_list", None) or ()),
            *self.secret_columns,
        )
        self.form_excluded_columns = (
            *(getattr(self, "form_excluded_columns", None) or ()),
            *self.secret_columns,
        )
        super().__init__(model, db, **kwargs)

    def _get_list_extra_args(self) -> Any:
        """The list's query: page, search and filters as flask-admin reads them,
        bounded.

        A negative page or one whose offset is past PostgreSQL's bigint, and
        search or filter text with NUL, reached the database, whose refusal was
        a bare 400 page. Pages are kept to ``0 .. MAX_PAGE`` (a page past the
        rows is an empty list, as before); NUL becomes U+FFFD, which finds what
        NUL would have found: nothing.
        """
        args = super()._get_list_extra_args()
        args.page = min(max(args.page or 0, 0), MAX_PAGE)
        if args.search:
            args.search = shown(args.search)
        if args.filters:
            args.filters = [
                (index, name, shown(value) if isinstance(value, str) else value)
                for index, name, value in args.filters
            ]
        return args

    def get_invalid_value_msg(self, value: str, filter: Any) -> str:
        """flask-admin's message for a filter value it refused, flashable."""
        return str(super().get_invalid_value_msg(shown(value), filter))

    def get_list_row_actions(self) -> list[Any]:
        """flask-admin's row actions, each rendered through its macro once per page."""
        return page_row_actions(super().get_list_row_actions())

    @action(
        "delete",
        admin_lazy_gettext("Delete"),
        admin_lazy_gettext("Are you sure you want to delete selected records?"),
    )
    def action_delete(self, ids: Sequence[str]) -> None:
        """Delete the ticked rows ("With selected" -> "Delete"), each as its own
        delete button does.

        flask-admin's own bulk delete bound the ids as text, which PostgreSQL
        refuses to compare with a numeric or UUID key (a 500 on every list). The
        ids are converted to the key's type here (ids that cannot be a key are
        skipped), and every row goes through :meth:`delete_model`, so a
        service's rules and refusal messages apply as for one row.
        """
        key = self._single_key()
        if key is None:
            super().action_delete(tuple(ids))
            return
        values = sorted({v for v in map(self._key_value, ids) if v is not None})
        rows = self.get_query().filter(key.in_(values)).all() if values else []
        if len(rows) < len(set(ids)):  # deleted meanwhile, or never a row
            flash(admin_gettext("Record does not exist."), "error")
        if not rows:
            return
        g.admin_bulk_delete = True  # refusals name their row
        deleted = sum(1 for row in rows if self.delete_model(row))
        if deleted:
            flash(
                admin_ngettext(
                    "Record was successfully deleted.",
                    "%(count)s records were successfully deleted.",
                    deleted,
                    count=deleted,
                ),
                "success",
            )

    def _single_key(self) -> Any | None:
        """The model's key column, or None when the key has several columns."""
        columns = sa_inspect(self.model).primary_key
        return getattr(self.model, columns[0].key) if len(columns) == 1 else None

    def _key_value(self, raw: str) -> Any | None:
        """A submitted row id as a value of the key's type; None if it cannot be one."""
        return key_value(self.model, raw)

    def get_one(self, id: Any) -> Any:
        """The row of a page's ``?id=``; None (flask-admin: "Record does not
        exist.") for an id that cannot be a key, which the database refused."""
        if self._single_key() is not None and self._key_value(id) is None:
            return None
        return super().get_one(id)

    def _create_ajax_loader(self, name: str, options: dict[str, Any]) -> Any:
        """A Select2 field's loader that looks up only ids that can be keys."""
        attr = getattr(self.model, name)
        return KeyedAjaxLoader(name, self.session, attr.prop.mapper.class_, **options)


class ServiceModelView(StaffModelView):
    """A model view whose writes go through a service, with the API's rules.

    Subclasses implement :meth:`service_create`, :meth:`service_update` and
    :meth:`service_delete`; they run inside one transaction as the back-office
    actor (:meth:`service_actor`). ``pointer_fields`` maps the last part of an
    error's JSON pointer to the form field showing it where the names differ.
    """

    pointer_fields: ClassVar[Mapping[str, str]] = {}

    def service_actor(self) -> Actor:
        """Return the actor the services run as: the back-office authority."""
        return back_office_actor()

    def scaffold_form(self) -> Any:
        """Build the form without Flask-Admin's own uniqueness checks.

        The services report a taken name with the API's message (and lock
        against races); Flask-Admin's ``Unique`` would answer first with a
        message of its own.
        """
        form_class = super().scaffold_form()
        for value in vars(form_class).values():
            if isinstance(value, UnboundField):
                checks = value.kwargs.get("validators") or []
                value.kwargs["validators"] = [
                    check for check in checks if not isinstance(check, Unique)
                ]
        setattr(form_class, VERSION_FIELD, HiddenField())
        return form_class

    def edit_form(self, obj: Any = None) -> Any:
        """The edit form; opened (GET), it carries the version of the row it shows."""
        form = super().edit_form(obj)
        if request.method == "GET" and obj is not None and VERSION_FIELD in form:
            form[VERSION_FIELD].data = self.row_version(obj)
        return form

    def row_version(self, model: Any) -> str:
        """The digest of what this view's form edits of ``model``, as stored now."""
        return row_version(model, self.form_columns or ())

    def is_stale(self, form: Any, model: Any) -> bool:
        """Whether the row changed after ``form`` was opened (a form without a
        version, as posted by scripts, counts as current)."""
        sent = form[VERSION_FIELD].data if VERSION_FIELD in form else None
        return bool(sent) and sent != self.row_version(model)

    def service_create(self, session: Session, actor: Actor, form: Any) -> Any:
        """Create the row from the form; return it."""
        raise NotImplementedError

    def service_update(
        self, session: Session, actor: Actor, model: Any, form: Any
    ) -> None:
        """Change ``model`` as the form says."""
        raise NotImplementedError

    def service_delete(self, session: Session, actor: Actor, model: Any) -> None:
        """Delete ``model``."""
        raise NotImplementedError

    def create_model(self, form: Any) -> Any:
        """Create through the service; show its errors on the form."""
        try:
            with transaction() as session:
                model = self.service_create(session, self.service_actor(), form)
        except (DomainError, IntegrityError) as exc:
            self.show_errors(form, exc)
            return False
        self.after_model_change(form, model, True)
        return model

    def update_model(self, form: Any, model: Any) -> bool:
        """Change through the service; show its errors on the form.

        A row changed by someone else since the form was opened is not saved
        over: the form says to reload it.
        """
        if self.is_stale(form, model):
            flash(
                gettext(
                    "Someone else changed this record after you opened it. "
                    "Reload the page to see their changes, then make yours again."
                ),
                "error",
            )
            return False
        try:
            with transaction() as session:
                self.service_update(session, self.service_actor(), model, form)
        except (DomainError, IntegrityError) as exc:
            self.show_errors(form, exc)
            return False
        self.after_model_change(form, model, False)
        return True

    def delete_model(self, model: Any) -> bool:
        """Delete through the service; flash why it was refused."""
        try:
            with transaction() as session:
                self.service_delete(session, self.service_actor(), model)
        except (DomainError, IntegrityError) as exc:
            # Of several ticked rows, say which one was refused.
            row = f"{shown(str(model))}: " if g.get("admin_bulk_delete") else ""
            for message in _messages(exc):
                flash(row + message, "error")
            return False
        self.after_model_delete(model)
        return True

    def show_errors(self, form: Any, error: DomainError | IntegrityError) -> None:
        """Put each problem on the field its pointer names; flash the others."""
        if isinstance(error, IntegrityError):
            flash(_messages(error)[0], "error")
            return
        for item in error.details():
            name = (item.pointer or "").rstrip("/").rsplit("/", 1)[-1]
            field = (
                form._fields.get(self.pointer_fields.get(name, name)) if name else None
            )
            if field is not None:
                field.errors = [*field.errors, item.detail]
            else:
                flash(item.detail, "error")
        flash(gettext("The changes were not saved."), "error")


def _messages(error: DomainError | IntegrityError) -> list[str]:
    if isinstance(error, DomainError):
        return [item.detail for item in error.details()]
    problem = classify_integrity_error(error.orig, "POST")
    return [problem.detail]
