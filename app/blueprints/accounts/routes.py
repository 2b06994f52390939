"""Sign in, sign out, sign up and e-mail confirmation pages: ``/accounts/``."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale, gettext
from flask_login import login_required

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from sqlalchemy.orm import Session

from app.authn import log_out, start_session
from app.blueprints.accounts.forms import (
    ButtonForm,
    ChangeEmailForm,
    EmailForm,
    LoginForm,
    SignupForm,
)
from app.blueprints.accounts.helpers import page, private_page, safe_next, show_errors
from app.db import transaction
from app.errors import DomainError, ThrottledError
from app.extensions import db
from app.i18n import select_locale
from app.models import User
from app.models.types import utcnow
from app.security import csrf, sessions
from app.services.accounts import account_mail, profile, registration
from app.services.accounts.mail_throttle import MailLimits
from app.services.accounts.password_policy import NewPassword

blp = Blueprint("accounts", __name__, url_prefix="/accounts")

PENDING_EMAIL = "_pending_email"
SIGNUP_FIELDS = {"password": "password1"}


@blp.app_context_processor
def _page_context() -> dict[str, object]:
    """Give the account templates the signed-in user and the page language."""
    return {"account_user": sessions.current_user(), "current_locale": get_locale()}


@blp.after_request
def _page_headers(response: Response) -> Response:
    """Keep account pages out of caches, frames and other sites' Referer logs."""
    return private_page(response, referrer_policy="same-origin")


@blp.route("/login/", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form; sign in and go to ``next`` or ``LOGIN_REDIRECT_URL``."""
    if request.method == "GET" and sessions.current_user() is not None:
        if csrf.CSRF_COOKIE not in request.cookies:
            csrf.new_token()  # the dashboards look for the cookie
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        return page("login", form=form)
    attempt = profile.LoginAttempt(
        form.login.data, form.password.data, request.remote_addr or ""
    )
    policy = profile.LoginPolicy.from_config(current_app.config)
    try:
        with transaction() as s:
            outcome = profile.attempt_login(s, attempt, policy, utcnow())
            if outcome.user is not None:
                start_session(outcome.user)
    except ThrottledError as exc:
        form.form_errors.append(exc.detail)
        return page("login", 429, {"Retry-After": str(exc.retry_after_s)}, form=form)
    if outcome.user is not None:
        flash(
            gettext("Successfully signed in as %(name)s.", name=outcome.user.username)
        )
        return redirect(safe_next(form.next.data))
    if isinstance(outcome.error, profile.EmailNotVerifiedError):
        user = profile.find_by_login(_db(), attempt.login)
        session[PENDING_EMAIL] = user.email if user else ""
        return redirect(url_for(".verification_sent", unverified=1))
    show_errors(form, outcome.failure())
    return page("login", form=form)


@blp.route("/logout/", methods=["GET", "POST"])
def logout() -> ResponseReturnValue:
    """Ask whether to sign out; sign out."""
    form = ButtonForm()
    if request.method == "GET":
        if sessions.current_user() is None:
            return redirect(url_for(".login"))
        return page("logout", form=form)
    with transaction():
        log_out()
    flash(gettext("You have signed out."))
    return redirect(url_for(".login"))


@blp.route("/signup/", methods=["GET", "POST"])
def signup() -> ResponseReturnValue:
    """Show the sign-up form; create the account and mail its confirmation link.

    A taken address answers the same and its owner is mailed a notice instead.
    """
    form = SignupForm()
    if not form.validate_on_submit():
        return page("signup", form=form)
    verify = bool(current_app.config["ACCOUNT_EMAIL_VERIFICATION"])
    new = registration.Registration(
        username=form.username.data,
        email=form.email.data,
        new=NewPassword(
            form.password1.data,
            form.password2.data,
            pointer1="/data/attributes/password1",
            pointer2="/data/attributes/password2",
        ),
        locale=select_locale(),
    )
    limits = MailLimits.from_config(current_app.config)
    try:
        with transaction() as s:
            sign_up = registration.sign_up(s, new, limits, _client(), utcnow())
    except ThrottledError as exc:
        return _throttled_page("signup", exc, form=form)
    except DomainError as exc:
        show_errors(form, exc, SIGNUP_FIELDS)
        return page("signup", form=form)
    secret = current_app.config["SECRET_KEY"]
    sent = account_mail.send_sign_up(sign_up, secret, confirm=verify)
    if not verify:
        # Without verification a new account is signed in, which no answer for
        # a taken address can imitate; its owner is mailed all the same.
        if not sign_up.created:
            return redirect(url_for(".login"))
        with transaction():
            start_session(sign_up.user)
        return redirect(safe_next(None))
    session[PENDING_EMAIL] = sign_up.email
    return redirect(url_for(".verification_sent", failed=0 if sent else 1))


@blp.route("/confirm-email/", methods=["GET", "POST"])
def verification_sent() -> ResponseReturnValue:
    """Say a confirmation mail is on its way; send it again on request."""
    form = EmailForm()
    failed = request.args.get("failed") == "1"
    if request.method == "GET":
        form.email.data = session.get(PENDING_EMAIL, "")
    elif form.validate_on_submit():
        limits = MailLimits.from_config(current_app.config)
        try:
            with transaction() as s:
                user = registration.request_confirmation(
                    s, limits, form.email.data, _client(), utcnow()
                )
        except ThrottledError as exc:
            return _throttled_page(
                "verification_sent", exc, form=form, failed=False, unverified=False
            )
        session[PENDING_EMAIL] = form.email.data
        if user is not None:
            # Sent after the answer, and a failure is logged, not shown: either
            # would tell that an unconfirmed account uses the address.
            _send_confirmation(user, later=True)
        flash(
            gettext(
                "If an unconfirmed account uses %(email)s, a new confirmation "
                "e-mail is on its way.",
                email=form.email.data,
            )
        )
        return redirect(url_for(".verification_sent"))
    unverified = request.args.get("unverified") == "1"
    return page("verification_sent", form=form, failed=failed, unverified=unverified)


@blp.route("/confirm-email/<key>/", methods=["GET", "POST"])
def confirm_email(key: str) -> ResponseReturnValue:
    """Ask to confirm the address of a mailed link; confirm it."""
    secret = current_app.config["SECRET_KEY"]
    form = ButtonForm()
    try:
        user, email = registration.confirmation_of(_db(), key, secret)
    except DomainError:
        return page("email_confirm", form=form, invalid=True, resend=EmailForm())
    if request.method == "GET":
        return page("email_confirm", form=form, invalid=False, user=user, email=email)
    try:
        with transaction() as s:
            registration.confirm_email(s, key, secret)
    except DomainError as exc:
        flash(exc.detail, "error")
        return redirect(url_for(".verification_sent"))
    flash(gettext("You have confirmed %(email)s.", email=email))
    target = ".email" if sessions.current_user() else ".login"
    return redirect(url_for(target))


@blp.route("/email/", methods=["GET", "POST"])
@login_required  # type: ignore[untyped-decorator]
def email() -> ResponseReturnValue:
    """Show the account's e-mail address; re-send its confirmation; change it.

    Both mails are account mail (:mod:`app.services.accounts.mail_throttle`):
    too many requests from the client address are a 429, and an address that
    had its share of confirmation mails gets none, with the same answer.
    """
    user = sessions.current_user()
    if user is None:  # login_required let it through: cannot happen
        return redirect(url_for(".login"))
    resend, change = ButtonForm(prefix="resend"), ChangeEmailForm(prefix="change")
    forms: dict[str, Any] = {"user": user, "resend": resend, "change": change}
    if resend.submit.data and resend.validate_on_submit():
        new_email = None
    elif change.submit.data and change.validate_on_submit():
        new_email = change.email.data
    else:
        return page("email", **forms)
    limits = MailLimits.from_config(current_app.config)
    try:
        with transaction() as s:
            wanted = registration.request_own_confirmation(
                s, limits, user, new_email, _client(), utcnow()
            )
    except ThrottledError as exc:
        flash(exc.detail)
        return page("email", 429, {"Retry-After": str(exc.retry_after_s)}, **forms)
    except DomainError as exc:
        show_errors(change, exc)
        return page("email", **forms)
    if wanted.mail:
        # Sent after the answer (a failure is logged): the answer is the same
        # whether it goes out or the address had its share of these mails.
        _send_confirmation(user, wanted.email, later=True)
    if new_email is None:
        flash(gettext("Confirmation e-mail sent to %(email)s.", email=wanted.email))
    else:
        flash(
            gettext(
                "Confirmation e-mail sent to %(email)s. Your address changes "
                "when you follow its link.",
                email=wanted.email,
            )
        )
    return redirect(url_for(".email"))


def _send_confirmation(
    user: User, address: str | None = None, *, later: bool = False
) -> bool:
    secret = current_app.config["SECRET_KEY"]
    key = registration.confirmation_key(user, secret, address)
    return account_mail.send_confirmation(user, key, address, later=later)


def _throttled_page(template: str, exc: ThrottledError, **context: Any) -> Response:
    """The page again with the throttle's message (when to try again), as a 429."""
    context["form"].form_errors.append(exc.detail)
    headers = {"Retry-After": str(exc.retry_after_s)}
    return page(template, 429, headers, **context)


def _client() -> str:
    return request.remote_addr or ""


def _db() -> Session:
    return db.session()
