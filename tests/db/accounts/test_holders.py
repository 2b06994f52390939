"""An API key or a browser session, its user, its log-in and the user's roles are
read in one statement, and every reason a credential stops working still refuses it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models import Login, Role, User
from app.models.types import utcnow
from app.services.accounts import holders, logins, revocation, tokens
from app.services.accounts.holders import Holder
from tests.factories import make_membership, make_organization, make_user
from tests.support.statements import recorded_statements

SECRET = "test-secret-key-for-credential-holders"


@dataclass(frozen=True)
class Presented:
    """A credential of ``user`` issued by the log-in ``login_id``, and how to check it."""

    user: User
    login_id: int | None
    check: Callable[[Session], Holder | None]


def _key(session: Session, user: User, *, with_login: bool = True) -> Presented:
    login_id = logins.start(session, user, SECRET).id if with_login else None
    key = tokens.issue_user_key(session, user, login_id=login_id).key
    return Presented(user, login_id, lambda s: holders.key_holder(s, key, SECRET))


def _session(session: Session, user: User) -> Presented:
    login_id = logins.start(session, user, SECRET).id
    sid = secrets.token_urlsafe(24)

    def check(s: Session) -> Holder | None:
        return holders.session_holder(s, user.id, login_id, sid, SECRET)

    return Presented(user, login_id, check)


CREDENTIALS = {
    "log-in key": _key,
    "bare key": lambda s, u: _key(s, u, with_login=False),
    "session": _session,
}


@pytest.mark.parametrize("kind", CREDENTIALS)
def test_a_credential_its_user_log_in_and_roles_are_one_statement(
    session: Session, kind: str
) -> None:
    user = make_user(session)
    owned, inspected = make_organization(session), make_organization(session)
    make_membership(session, user, owned, Role.OWNER)
    make_membership(session, user, inspected, Role.INSPECTOR)
    presented = CREDENTIALS[kind](session, user)

    with recorded_statements(session) as sent:
        holder = presented.check(session)

    assert len(sent) == 1
    assert holder is not None
    assert holder.user.id == user.id
    assert holder.actor.user_id == user.id
    assert holder.actor.roles == {owned.id: Role.OWNER, inspected.id: Role.INSPECTOR}


@pytest.mark.parametrize("kind", CREDENTIALS)
def test_a_user_without_memberships_has_no_roles(session: Session, kind: str) -> None:
    presented = CREDENTIALS[kind](session, make_user(session, is_staff=True))

    holder = presented.check(session)

    assert holder is not None
    assert holder.actor.roles == {}
    assert holder.actor.is_staff


def _deactivate(session: Session, presented: Presented) -> None:
    presented.user.is_active = False


def _change_password(session: Session, presented: Presented) -> None:
    # Set another way than through a log-in (the fingerprint changes).
    presented.user.password_hash += "-changed"


def _end_login_only(session: Session, presented: Presented) -> None:
    # The log-in ends without its keys being revoked (as by a crash between the
    # two writes): its credentials still must not work.
    session.execute(
        update(Login).where(Login.id == presented.login_id).values(ended_at=utcnow())
    )


SPOILERS = {
    "inactive user": _deactivate,
    "password changed": _change_password,
    "log-in ended": _end_login_only,
}


@pytest.mark.parametrize("kind", ["log-in key", "session"])
@pytest.mark.parametrize("spoil", SPOILERS)
def test_a_spoilt_credential_is_refused(
    session: Session, kind: str, spoil: str
) -> None:
    presented = CREDENTIALS[kind](session, make_user(session))
    assert presented.check(session) is not None

    SPOILERS[spoil](session, presented)
    session.flush()

    assert presented.check(session) is None


def test_a_revoked_key_is_refused(session: Session) -> None:
    presented = _key(session, make_user(session))

    tokens.revoke_user_keys(session, presented.user.id)

    assert presented.check(session) is None


def test_a_revoked_session_is_refused(session: Session) -> None:
    user = make_user(session)
    login_id = logins.start(session, user, SECRET).id
    sid = secrets.token_urlsafe(24)
    assert holders.session_holder(session, user.id, login_id, sid, SECRET)

    revocation.revoke(session, sid, "session", user.id, utcnow())
    session.flush()

    assert holders.session_holder(session, user.id, login_id, sid, SECRET) is None


@pytest.mark.parametrize("login_id", [None, "1", True], ids=["none", "text", "bool"])
def test_a_session_without_a_proper_log_in_is_refused(
    session: Session, login_id: object
) -> None:
    user = make_user(session)
    logins.start(session, user, SECRET)

    assert holders.session_holder(session, user.id, login_id, "sid", SECRET) is None


def test_a_session_of_another_users_log_in_is_refused(session: Session) -> None:
    user, other = make_user(session), make_user(session)
    login_id = logins.start(session, other, SECRET).id

    assert holders.session_holder(session, user.id, login_id, "sid", SECRET) is None


@pytest.mark.parametrize("key", ["", "0" * 40])
def test_an_unknown_key_is_refused(session: Session, key: str) -> None:
    assert holders.key_holder(session, key, SECRET) is None


def test_an_ingest_token_is_no_api_key(session: Session) -> None:
    issued = tokens.issue_ingest_token(session, None)

    assert holders.key_holder(session, issued.key, SECRET) is None
