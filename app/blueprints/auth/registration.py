"""Sign-up and e-mail verification: ``/api/v1/auth/registration/``."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from flask import current_app
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
from app.services.accounts import account_mail, registration
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
    def post(self, document: Document) -> ResponseReturnValue:
        """Create an account and mail its confirmation link (201).

        With ``ACCOUNT_EMAIL_VERIFICATION`` off no mail is sent and the account
        may log in at once. When the mail server is down the account is kept:
        ``meta.email_sent`` is false and ``resend-email/`` sends it again.
        An address that has an account answers the same (its owner is mailed
        a notice instead), so sign-up does not tell which addresses have
        accounts; a taken username is a 409 at ``/data/attributes/username``.
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
        with transaction() as session:
            sign_up = registration.register(session, new, verified=False)
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
    def post(self, document: Document) -> ResponseReturnValue:
        """Mail the confirmation link again to an unverified address.

        The answer is the same whether or not an account uses the address,
        even when the mail server is down (the failure is logged): a 503 for
        known addresses only would tell which ones have accounts.
        """
        check_envelope("ResendEmailVerificationView")
        email = document["data"]["attributes"]["email"]
        with transaction() as session:
            user = registration.find_unverified(session, email)
        if user is not None:
            key = registration.confirmation_key(user, current_app.config["SECRET_KEY"])
            account_mail.send_confirmation(user, key)
        return render.detail("ok")
