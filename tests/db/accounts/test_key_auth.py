"""An API key, its user, its log-in and the user's roles are read in one statement,
and every reason a key stops working still refuses it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models import Login, Role, User
from app.models.types import utcnow
from app.services.accounts import key_auth, logins, tokens
from tests.factories import make_membership, make_organization, make_user
from tests.support.statements import recorded_statements

SECRET = "test-secret-key-for-key-authentication"


def _key(session: Session, user: User, *, with_login: bool = True) -> str:
    login_id = logins.start(session, user, SECRET).id if with_login else None
    return tokens.issue_user_key(session, user, login_id=login_id).key


@pytest.mark.parametrize("with_login", [True, False], ids=["log-in key", "bare key"])
def test_a_key_its_user_log_in_and_roles_are_one_statement(
    session: Session, with_login: bool
) -> None:
    user = make_user(session)
    owned, inspected = make_organization(session), make_organization(session)
    make_membership(session, user, owned, Role.OWNER)
    make_membership(session, user, inspected, Role.INSPECTOR)
    key = _key(session, user, with_login=with_login)

    with recorded_statements(session) as sent:
        holder = key_auth.authenticate(session, key, SECRET)

    assert len(sent) == 1
    assert holder is not None
    assert holder.user.id == user.id
    assert holder.actor.roles == {owned.id: Role.OWNER, inspected.id: Role.INSPECTOR}
    assert holder.actor.user_id == user.id


def test_a_user_without_memberships_has_no_roles(session: Session) -> None:
    user = make_user(session, is_staff=True)
    key = _key(session, user)

    holder = key_auth.authenticate(session, key, SECRET)

    assert holder is not None
    assert holder.actor.roles == {}
    assert holder.actor.is_staff


def _revoke(session: Session, user: User) -> None:
    tokens.revoke_user_keys(session, user.id)


def _deactivate(session: Session, user: User) -> None:
    user.is_active = False


def _change_password(session: Session, user: User) -> None:
    # Set another way than through a log-in (the fingerprint changes).
    user.password_hash += "-changed"


def _end_login_only(session: Session, user: User) -> None:
    # The log-in ends without its keys being revoked (as by a crash between the
    # two writes): the key still must not work.
    session.execute(
        update(Login).where(Login.user_id == user.id).values(ended_at=utcnow())
    )


@pytest.mark.parametrize(
    "spoil",
    [_revoke, _deactivate, _change_password, _end_login_only],
    ids=["revoked", "inactive user", "password changed", "log-in ended"],
)
def test_a_spoilt_key_is_refused(
    session: Session, spoil: Callable[[Session, User], None]
) -> None:
    user = make_user(session)
    key = _key(session, user)
    assert key_auth.authenticate(session, key, SECRET) is not None

    spoil(session, user)
    session.flush()

    assert key_auth.authenticate(session, key, SECRET) is None


@pytest.mark.parametrize("key", ["", "0" * 40])
def test_an_unknown_key_is_refused(session: Session, key: str) -> None:
    assert key_auth.authenticate(session, key, SECRET) is None


def test_an_ingest_token_is_no_api_key(session: Session) -> None:
    issued = tokens.issue_ingest_token(session, None)

    assert key_auth.authenticate(session, issued.key, SECRET) is None
