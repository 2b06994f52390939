"""Small helpers of the account pages: errors onto forms, safe redirects, rendering."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm

from flask import Response, current_app, make_response, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from app.errors import DomainError

NO_FIELDS: Mapping[str, str] = {}

#: The API schemas' fixed messages, in English as Managair's are; listed here so
#: the catalogue has them, and the HTML forms show them in the page's language.
API_MESSAGES = (
    lazy_gettext("Not a valid number."),
    lazy_gettext("Not a valid integer."),
    lazy_gettext("Not a valid string."),
    lazy_gettext("Not a valid boolean."),
    lazy_gettext("Field may not be null."),
    lazy_gettext("This field may not be null."),
    lazy_gettext("Missing data for required field."),
    lazy_gettext("This field may not be blank."),
    lazy_gettext("Must be a whole number (without decimal places)."),
    lazy_gettext("Special numeric values (nan or infinity) are not permitted."),
)


def private_page(response: BaseResponse, *, referrer_policy: str) -> BaseResponse:
    """Keep a page with personal data or secrets out of caches and frames, and
    limit what its links tell other sites (headers a view set itself win)."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", referrer_policy)
    return response


def show_errors(
    form: FlaskForm, error: DomainError, fields: Mapping[str, str] = NO_FIELDS
) -> None:
    """Put each problem of ``error`` on the form field its pointer names.

    Args:
        form: the submitted form.
        error: a domain error whose pointers end in attribute names.
        fields: attribute name -> form field name where they differ.
    """
    for item in error.details():
        name = (item.pointer or "").rsplit("/", 1)[-1]
        field = getattr(form, fields.get(name, name), None) if name else None
        detail = gettext(item.detail)  # the API's English ones (API_MESSAGES) too
        if field is not None and hasattr(field, "errors"):
            field.errors = [*field.errors, detail]
        else:
            form.form_errors.append(detail)


def safe_next(target: str | None) -> str:
    """Return ``target`` if it stays on this site, else ``LOGIN_REDIRECT_URL``."""
    fallback: str = current_app.config["LOGIN_REDIRECT_URL"]
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return fallback
    parts = urlsplit(target)
    if not parts.scheme and not parts.netloc:
        return target if target.startswith("/") else fallback
    same_site = parts.scheme == request.scheme and parts.netloc == request.host
    return target if same_site else fallback


def page(
    template: str,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> Response:
    """Render ``account/<template>.html`` with ``status`` and ``headers``."""
    response = make_response(render_template(f"account/{template}.html", **context))
    response.status_code = status
    response.headers.update(headers or {})
    return response
