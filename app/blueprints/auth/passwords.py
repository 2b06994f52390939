"""Password change and reset by mail: ``/api/v1/auth/password/``."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from flask import current_app, request
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.authn import current_actor, end_other_logins
from app.blueprints import docs
from app.blueprints.auth import render
from app.blueprints.auth.routes import check_envelope
from app.blueprints.auth.schemas import (
    DetailDocument,
    PasswordChangeDocument,
    PasswordResetConfirmDocument,
    PasswordResetDocument,
)
from app.db import transaction
from app.jsonapi import JsonApiBlueprint
from app.models.types import utcnow
from app.services.accounts import account_mail, password_reset, profile
from app.services.accounts.login_throttle import Limits
from app.services.accounts.mail_throttle import MailLimits
from app.services.accounts.password_policy import NewPassword

blp = JsonApiBlueprint(
    "auth_password",
    __name__,
    url_prefix="/api/v1/auth/password",
    description="Change the password, or reset a forgotten one by mail.",
)

Document = dict[str, Any]


@blp.route("/change/")
class PasswordChange(MethodView):
    """The reference's ``PasswordChangeView``, requiring the old password."""

    @blp.arguments(PasswordChangeDocument)
    @docs.answers(blp, DetailDocument)
    @docs.throttled(blp)
    def post(self, document: Document) -> ResponseReturnValue:
        """Set a new password; the old one is required.

        Every other log-in of the account ends (its sessions, API keys and
        bearer tokens); the log-in making the change stays valid. A wrong old
        password counts as a failed log-in from the client address: beyond the
        log-in limits the answer is 429 with ``Retry-After``.
        """
        check_envelope("PasswordChangeView")
        attributes = document["data"]["attributes"]
        change = profile.PasswordChange(
            old_password=attributes["old_password"],
            new=NewPassword(attributes["new_password1"], attributes["new_password2"]),
        )
        limits = Limits.from_config(current_app.config)
        address = request.remote_addr or ""
        with transaction() as session:
            user = profile.own_account(session, current_actor().user_id)
            wrong = profile.change_password(
                session, user, change, limits, address, utcnow()
            )
            if wrong is None:
                end_other_logins(user)
        if wrong is not None:
            raise wrong
        return render.detail(gettext("New password has been saved."))


@blp.route("/reset/")
class PasswordReset(MethodView):
    """The reference's ``PasswordResetView``, working."""

    @blp.arguments(PasswordResetDocument)
    @docs.answers(blp, DetailDocument)
    @docs.throttled(blp)
    def post(self, document: Document) -> ResponseReturnValue:
        """Mail a password-reset link to the address, if an account uses it.

        The answer is the same whether or not an account uses the address, and
        takes as long (the mail goes out after the answer), even while the mail
        server is down (the failure is logged). Requests are rate-limited per
        client address (429 with ``Retry-After``); at most
        ``PASSWORD_RESET_RATE_LIMIT_ACCOUNT`` mails per window go to one
        address, silently (the links already sent stay valid).
        """
        check_envelope("PasswordResetView")
        email = document["data"]["attributes"]["email"]
        limits = MailLimits.from_config(current_app.config)
        address, secret = request.remote_addr or "", current_app.config["SECRET_KEY"]
        with transaction() as session:
            mail = password_reset.request_reset(
                session, limits, email, address, utcnow(), secret
            )
        if mail is not None:
            account_mail.send_password_reset(mail.user, mail.key)  # a failure is logged
        return render.detail(gettext("Password reset e-mail has been sent."))


@blp.route("/reset/confirm/")
class PasswordResetConfirm(MethodView):
    """The reference's ``PasswordResetConfirmView``."""

    @blp.arguments(PasswordResetConfirmDocument)
    @docs.answers(blp, DetailDocument)
    def post(self, document: Document) -> ResponseReturnValue:
        """Set a new password with the ``uid`` and ``token`` of a reset link.

        A link ``/accounts/password/reset/key/<uid>-<token>/`` splits at its
        first dash. Resetting revokes the account's API keys, sessions and
        bearer tokens, and marks the address verified.
        """
        check_envelope("PasswordResetConfirmView")
        attributes = document["data"]["attributes"]
        key = password_reset.ResetKey(attributes["uid"], attributes["token"])
        new = NewPassword(attributes["new_password1"], attributes["new_password2"])
        with transaction() as session:
            password_reset.reset_password(
                session, key, new, current_app.config["SECRET_KEY"]
            )
        return render.detail(gettext("Password has been reset with the new password."))
