"""Sign-up and e-mail verification: ``/api/v1/auth/registration/``."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from flask import current_app, request
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.blueprints import docs
from app.blueprints.auth import render
from app.blueprints.auth.routes import check_envelope
from app.blueprints.auth.schemas import (
    DetailDocument,
    RegisterDocument,
    ResendEmailDocument,
    VerifyEmailDocument,
)
from app.db import transaction
from app.i18n import select_locale
from app.jsonapi import JsonApiBlueprint
from app.models.types import utcnow
from app.services.accounts import account_mail, registration
from app.services.accounts.mail_throttle import MailLimits
from app.services.accounts.password_policy import NewPassword

blp = JsonApiBlueprint(
    "auth_registration",
    __name__,
    url_prefix="/api/v1/auth/registration",
    description="Sign up and verify the e-mail address (dj-rest-auth's "
    "registration endpoints, which the reference documented but never routed).",
)

Document = dict[str, Any]


@blp.route("/")
class Register(MethodView):
    """The reference's intended ``RegisterView``."""

    @blp.arguments(RegisterDocument)
    @docs.answers(blp, DetailDocument, 201)
    @docs.throttled(blp)
    def post(self, document: Document) -> ResponseReturnValue:
        """Create an account and mail its confirmation link (201).

        With ``ACCOUNT_EMAIL_VERIFICATION`` off no mail is sent and the account
        may log in at once. When the mail server is down the account is kept:
        ``meta.email_sent`` is false and ``resend-email/`` sends it again.
        An address that has an account answers the same (its owner is mailed
        a notice instead), so sign-up does not tell which addresses have
        accounts; a taken username is a 409 at ``/data/attributes/username``.
        Sign-ups are rate-limited per client address (429 with
        ``Retry-After``), and one address gets at most
        ``PASSWORD_RESET_RATE_LIMIT_ACCOUNT`` sign-up mails per window (the
        answer does not change when no mail went out).
        """
        check_envelope("RegisterView")
        attributes = document["data"]["attributes"]
        verify = bool(current_app.config["ACCOUNT_EMAIL_VERIFICATION"])
        new = registration.Registration(
            username=attributes["username"],
            email=attributes["email"],
            new=NewPassword(
                attributes["password1"],
                attributes["password2"],
                pointer1="/data/attributes/password1",
                pointer2="/data/attributes/password2",
            ),
            locale=select_locale(),
        )
        limits = MailLimits.from_config(current_app.config)
        address = request.remote_addr or ""
        with transaction() as session:
            sign_up = registration.sign_up(session, new, limits, address, utcnow())
        secret = current_app.config["SECRET_KEY"]
        sent = account_mail.send_sign_up(sign_up, secret, confirm=verify)
        if not verify:
            return render.detail(gettext("Successfully signed up.")), 201
        if sent:
            return render.detail(gettext("Verification e-mail sent.")), 201
        document = render.detail(
            gettext(
                "Your account was created, but the verification e-mail could not "
                "be sent. Please request it again in a few minutes."
            )
        )
        return document | {"meta": {"email_sent": False}}, 201


@blp.route("/verify-email/")
class VerifyEmail(MethodView):
    """The reference's intended ``VerifyEmailView``."""

    @blp.arguments(VerifyEmailDocument)
    @docs.answers(blp, DetailDocument)
    def post(self, document: Document) -> ResponseReturnValue:
        """Confirm an e-mail address with the key from the mailed link."""
        check_envelope("VerifyEmailView")
        with transaction() as session:
            registration.confirm_email(
                session,
                document["data"]["attributes"]["key"],
                current_app.config["SECRET_KEY"],
            )
        return render.detail("ok")


@blp.route("/resend-email/")
class ResendEmail(MethodView):
    """dj-rest-auth's ``ResendEmailVerificationView``."""

    @blp.arguments(ResendEmailDocument)
    @docs.answers(blp, DetailDocument)
    @docs.throttled(blp)
    def post(self, document: Document) -> ResponseReturnValue:
        """Mail the confirmation link again to an unverified address.

        The answer is the same whether or not an account uses the address, and
        takes as long (the mail goes out after the answer), even when the mail
        server is down (the failure is logged): a 503 for known addresses only
        would tell which ones have accounts. Requests are rate-limited per
        client address (429 with ``Retry-After``); one address gets at most
        ``PASSWORD_RESET_RATE_LIMIT_ACCOUNT`` confirmation mails per window,
        silently.
        """
        check_envelope("ResendEmailVerificationView")
        email = document["data"]["attributes"]["email"]
        limits = MailLimits.from_config(current_app.config)
        address = request.remote_addr or ""
        with transaction() as session:
            user = registration.request_confirmation(
                session, limits, email, address, utcnow()
            )
        if user is not None:
            key = registration.confirmation_key(user, current_app.config["SECRET_KEY"])
            account_mail.send_confirmation(user, key, later=True)  # failures are logged
        return render.detail("ok")
