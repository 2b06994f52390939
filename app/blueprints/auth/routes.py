"""Log-in, log-out, token refresh and the own account: ``/api/v1/auth/``."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from flask import current_app, request
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from app.authn import (
    ApiCredentials,
    csrf_exempt,
    current_actor,
    issue_access_token,
    issue_api_credentials,
    log_out,
    start_session,
    takes_any_bearer,
    takes_refresh_token,
)
from app.blueprints import docs
from app.blueprints.auth import render
from app.blueprints.auth.schemas import (
    DetailDocument,
    LoginAnswer,
    LoginDocument,
    LogoutArgs,
    OwnAccount,
    TokenRefreshAnswer,
    UserPatchDocument,
    UserPutDocument,
)
from app.blueprints.common import body
from app.db import transaction
from app.extensions import db
from app.jsonapi import JsonApiBlueprint, parse_resource, resource, single
from app.models.types import utcnow
from app.services.accounts import profile

blp = JsonApiBlueprint(
    "auth",
    __name__,
    url_prefix="/api/v1/auth",
    description="Log-in (API key, bearer tokens and a browser session), log-out "
    "and the own account, as the reference's dj-rest-auth endpoints.",
)

Document = dict[str, Any]


def check_envelope(expected_type: str, url_id: int | None = None) -> None:
    """Check the body's ``data.type`` (409 when wrong) and its ``data.id``, if any.

    Raises:
        ConflictError: ``type`` or ``id`` do not belong to this endpoint.
    """
    parse_resource(body(), expected_type, url_id)


@blp.route("/login/")
class Login(MethodView):
    """The reference's ``LoginView``."""

    @csrf_exempt
    @blp.arguments(LoginDocument)
    @docs.answers(blp, LoginAnswer.single)
    @docs.throttled(blp)
    def post(self, document: Document) -> ResponseReturnValue:
        """Log in with username or e-mail address and password.

        Answers the reference's ``{"data": {"type": "LoginView", "id": <key>,
        "attributes": {"key": <key>}}}`` plus ``access_token`` and
        ``refresh_token``, and starts a browser session (``sessionid`` and
        ``csrftoken`` cookies). Failed attempts are rate-limited per account and
        per client address (429 with ``Retry-After``).
        """
        check_envelope("LoginView")
        attributes = document["data"]["attributes"]
        attempt = profile.LoginAttempt(
            login=attributes["email"] or attributes["username"],
            password=attributes["password"],
            address=request.remote_addr or "",
        )
        policy = profile.LoginPolicy.from_config(current_app.config)
        issued: ApiCredentials | None = None
        with transaction() as session:
            outcome = profile.attempt_login(session, attempt, policy, utcnow())
            if outcome.user is not None:
                login_id = start_session(outcome.user)
                issued = issue_api_credentials(outcome.user, login_id)
        if issued is None:
            raise outcome.failure()
        return render.login(issued)


@blp.route("/logout/")
class Logout(MethodView):
    """The reference's ``LogoutView``."""

    @takes_any_bearer
    @blp.arguments(LogoutArgs, location="query")
    @docs.answers(blp, DetailDocument)
    def post(self, args: dict[str, bool]) -> ResponseReturnValue:
        """Log out: end this log-in (session, API key and bearer tokens together).

        Any of the log-in's credentials ends it, its refresh token included
        (``Authorization: Bearer <refresh token>``).

        With ``?everywhere=1``, end every log-in of the account instead.
        """
        with transaction():
            log_out(everywhere=args["everywhere"])
        return render.detail(gettext("Successfully logged out."))


@blp.route("/user/")
class UserDetails(MethodView):
    """The reference's ``UserDetailsView``: the caller's own account."""

    @docs.answers(blp, OwnAccount.single)
    def get(self) -> ResponseReturnValue:
        """Return the logged-in user (``data.id`` is what the dashboards read)."""
        user = profile.own_account(db.session(), current_actor().user_id)
        return render.user(user)

    @blp.arguments(UserPatchDocument)
    @docs.answers(blp, OwnAccount.single)
    def patch(self, document: Document) -> ResponseReturnValue:
        """Change the username, first or last name; the e-mail address is read-only."""
        return _update(document)

    @blp.arguments(UserPutDocument)
    @docs.answers(blp, OwnAccount.single)
    def put(self, document: Document) -> ResponseReturnValue:
        """Replace username, first and last name; the e-mail address is read-only."""
        return _update(document)


def _update(document: Document) -> ResponseReturnValue:
    attributes = document["data"]["attributes"]
    with transaction() as session:
        user = profile.own_account(session, current_actor().user_id)
        check_envelope("User", user.id)
        profile.update_profile(
            session,
            user,
            profile.ProfileChanges(
                username=attributes.get("username"),
                first_name=attributes.get("first_name"),
                last_name=attributes.get("last_name"),
                email=attributes.get("email"),
            ),
        )
    return render.user(user)


@blp.route("/token/refresh/")
class TokenRefresh(MethodView):
    """A new access token for a refresh token."""

    @takes_refresh_token
    @docs.answers(blp, TokenRefreshAnswer.single)
    def post(self) -> ResponseReturnValue:
        """Return a new access token; send ``Authorization: Bearer <refresh token>``.

        The answer is ``{"data": {"type": "TokenRefreshView", "id": <token>,
        "attributes": {"access_token": <token>}}}``. A refresh token stops
        working at log-out or when the password changes.
        """
        with transaction() as session:
            user = profile.own_account(session, current_actor().user_id)
            token = issue_access_token(user)
        return single(resource("TokenRefreshView", token, {"access_token": token}))
