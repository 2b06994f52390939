"""Password pages: reset by mail and change: ``/accounts/password/``."""

from __future__ import annotations

from flask_babel import gettext
from flask_login import login_required

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from app.authn import end_other_logins
from app.blueprints.accounts.forms import (
    ChangePasswordForm,
    EmailForm,
    SetPasswordForm,
)
from app.blueprints.accounts.helpers import page, private_page, show_errors
from app.db import transaction
from app.errors import DomainError, ThrottledError
from app.extensions import db
from app.models.types import utcnow
from app.security import sessions
from app.services.accounts import account_mail, password_reset, profile
from app.services.accounts.login_throttle import Limits
from app.services.accounts.mail_throttle import MailLimits
from app.services.accounts.password_policy import NewPassword

blp = Blueprint("account_passwords", __name__, url_prefix="/accounts/password")

POINTER1, POINTER2 = "/data/attributes/password1", "/data/attributes/password2"
CHANGE_FIELDS = {"old_password": "oldpassword"}


@blp.after_request
def _page_headers(response: Response) -> Response:
    """Keep reset links out of caches, frames and every Referer (even our own)."""
    return private_page(response, referrer_policy="no-referrer")


@blp.route("/reset/", methods=["GET", "POST"])
def reset() -> ResponseReturnValue:
    """Ask for the address; mail a reset link if an account uses it.

    The answer is the same for every address, whether the mail went out or not.
    """
    form = EmailForm()
    if not form.validate_on_submit():
        return page("password_reset", form=form)
    limits = MailLimits.from_config(current_app.config)
    address, secret = request.remote_addr or "", current_app.config["SECRET_KEY"]
    try:
        with transaction() as session:
            mail = password_reset.request_reset(
                session, limits, form.email.data, address, utcnow(), secret
            )
    except ThrottledError as exc:
        form.form_errors.append(exc.detail)
        headers = {"Retry-After": str(exc.retry_after_s)}
        return page("password_reset", 429, headers, form=form)
    if mail is not None:
        # A failure is logged, not shown: showing it for known addresses only
        # would tell which ones have accounts.
        account_mail.send_password_reset(mail.user, mail.key)
    return redirect(url_for(".reset_done"))


@blp.route("/reset/done/")
def reset_done() -> ResponseReturnValue:
    """Say that a reset link is on its way."""
    return page("password_reset_done")


@blp.route("/reset/key/<uidkey>/", methods=["GET", "POST"])
def reset_from_key(uidkey: str) -> ResponseReturnValue:
    """Ask for a new password with a mailed link; set it."""
    key = password_reset.parse_link_key(uidkey)
    secret = current_app.config["SECRET_KEY"]
    try:
        password_reset.user_for_reset(db.session(), key, secret)
    except DomainError:
        return page("password_reset_from_key", form=None, invalid=True)
    form = SetPasswordForm()
    if not form.validate_on_submit():
        return page("password_reset_from_key", form=form, invalid=False)
    new = NewPassword(form.password1.data, form.password2.data, POINTER1, POINTER2)
    try:
        with transaction() as session:
            password_reset.reset_password(session, key, new, secret)
    except DomainError as exc:
        show_errors(form, exc)
        return page("password_reset_from_key", form=form, invalid=False)
    return redirect(url_for(".reset_from_key_done"))


@blp.route("/reset/key/done/")
def reset_from_key_done() -> ResponseReturnValue:
    """Say that the password was changed."""
    return page("password_reset_from_key_done")


@blp.route("/change/", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
def change() -> ResponseReturnValue:
    """Ask for the current and a new password; change it."""
    form = ChangePasswordForm()
    user = sessions.current_user()
    if user is None or not form.validate_on_submit():
        return page("password_change", form=form)
    change = profile.PasswordChange(
        old_password=form.oldpassword.data,
        new=NewPassword(form.password1.data, form.password2.data, POINTER1, POINTER2),
    )
    limits = Limits.from_config(current_app.config)
    try:
        with transaction() as session:
            wrong = profile.change_password(
                session, user, change, limits, request.remote_addr or "", utcnow()
            )
            if wrong is None:
                end_other_logins(user)
    except ThrottledError as exc:
        form.form_errors.append(exc.detail)
        headers = {"Retry-After": str(exc.retry_after_s)}
        return page("password_change", 429, headers, form=form)
    except DomainError as exc:
        wrong = exc
    if wrong is not None:
        show_errors(form, wrong, CHANGE_FIELDS)
        return page("password_change", form=form)
    flash(gettext("Password successfully changed."))
    return redirect(url_for(".change"))
