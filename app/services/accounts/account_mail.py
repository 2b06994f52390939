"""The account mails (address confirmation, password reset) in the user's language.

Rendered from ``templates/account/email/*.txt`` under the user's locale (else the
request's), with absolute links built from ``SITE_URL`` or, without it, from the
request's host. Sending needs a request context. A failure is logged and
reported as ``False`` so the caller can offer to send again; it never undoes
the account change that asked for the mail.

Mail that anyone may ask for about any address (reset links, confirmation
resends) is sent ``later``: after the response has gone to the client, so the
answer takes as long whether or not an account uses the address (an SMTP
conversation takes far longer than the rest of the request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask_babel import force_locale

from flask import (
    Response,
    after_this_request,
    current_app,
    render_template,
    request,
    url_for,
)

from app.i18n import select_locale
from app.models import User
from app.services.accounts.mail import Mail, MailError, SmtpSettings, send
from app.services.accounts.password_reset import ResetKey
from app.services.accounts.registration import SignUp, confirmation_key


def send_confirmation(
    user: User, key: str, email: str | None = None, *, later: bool = False
) -> bool:
    """Mail the confirmation link ``key`` to ``email`` (default: the user's address).

    With ``later`` the mail goes out after the response and this answers ``True``.
    """
    link = absolute_link("accounts.confirm_email", key=key)
    context = {"activate_url": link}
    return _send(user, email or user.email, "email_confirmation", context, later)


def send_sign_up(sign_up: SignUp, secret: str, confirm: bool) -> bool:
    """Mail a new account its confirmation link, or an address's owner a notice.

    The notice tells the owner someone tried to sign up with their address and
    where to sign in or reset the password, so the sign-up's answer need not.
    Without ``confirm`` (``ACCOUNT_EMAIL_VERIFICATION`` off) a new account gets
    no mail and this answers ``True``, as it does when ``sign_up.mail`` is
    False (the address had its share of sign-up mails).
    """
    if not sign_up.mail:
        return True
    if sign_up.created:
        if not confirm:
            return True
        return send_confirmation(sign_up.user, confirmation_key(sign_up.user, secret))
    links = {
        "login_url": absolute_link("accounts.login"),
        "password_reset_url": absolute_link("account_passwords.reset"),
    }
    return _send(sign_up.user, sign_up.user.email, "signup_attempt", links)


def send_password_reset(user: User, key: ResetKey) -> None:
    """Mail the password-reset link ``key`` to the user's address, after the response."""
    link = absolute_link(
        "account_passwords.reset_from_key", uidkey=f"{key.uid}-{key.token}"
    )
    context = {"password_reset_url": link}
    _send(user, user.email, "password_reset_key", context, later=True)


def absolute_link(endpoint: str, **values: Any) -> str:
    """Return the absolute URL of ``endpoint`` as mails show it."""
    return site_url() + url_for(endpoint, **values)


def site_url() -> str:
    """Return ``SITE_URL``, or the scheme and host the request came to."""
    configured: str = current_app.config["SITE_URL"]
    return configured or request.host_url.rstrip("/")


def _send(
    user: User, to: str, template: str, context: dict[str, Any], later: bool = False
) -> bool:
    base = site_url()
    context |= {
        "user": user,
        "site_name": current_app.config["SITE_NAME"],
        "site_url": base,
        "site_domain": urlsplit(base).netloc,
    }
    with force_locale(user.locale or select_locale()):
        subject = render_template(f"account/email/{template}_subject.txt", **context)
        body = render_template(f"account/email/{template}_message.txt", **context)
    prefix = current_app.config["EMAIL_SUBJECT_PREFIX"]
    mail = Mail(to=to, subject=prefix + " ".join(subject.split()), body=body)
    settings = SmtpSettings.from_config(current_app.config)
    if later:
        after_this_request(_send_after_response(settings, mail))
        return True
    return _deliver(settings, mail)


def _send_after_response(
    settings: SmtpSettings, mail: Mail
) -> Callable[[Response], Response]:
    """Return a response hook that sends ``mail`` once the response is closed
    (after the server wrote it to the client)."""

    def hook(response: Response) -> Response:
        response.call_on_close(lambda: _deliver(settings, mail))
        return response

    return hook


def _deliver(settings: SmtpSettings, mail: Mail) -> bool:
    try:
        send(settings, mail)
    except MailError:
        return False  # logged by send()
    return True
