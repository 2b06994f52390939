"""The tenancy policy of app.services.access, without a database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import ColumnElement

from app.errors import DomainError, ForbiddenError, UnauthenticatedError
from app.models import Address, Membership, Node, Organization, Role, Site, User
from app.services import access
from app.services.access import ANONYMOUS, SYSTEM, Actor

OWNER = Actor(user_id=1, roles={10: Role.OWNER, 20: Role.INSPECTOR})
INSPECTOR = Actor(user_id=2, roles={10: Role.INSPECTOR})
OUTSIDER = Actor(user_id=3)
STAFF = Actor(user_id=4, is_staff=True)


def sql(condition: ColumnElement[bool]) -> str:
    """Render a condition as PostgreSQL with its literal values."""
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]  # untyped init
    return str(
        condition.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    )


def raises(check: Callable[[], None]) -> type[DomainError] | None:
    """Return the class of the domain error ``check`` raises, or None."""
    try:
        check()
    except DomainError as exc:
        return type(exc)
    return None


def test_actor_with_role_adds_the_role_and_keeps_the_rest() -> None:
    promoted = INSPECTOR.with_role(30, Role.OWNER)

    assert promoted.is_owner(30)
    assert promoted.is_member(10)
    assert not INSPECTOR.is_member(30)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (ANONYMOUS, UnauthenticatedError),
        (OUTSIDER, ForbiddenError),
        (INSPECTOR, ForbiddenError),
        (STAFF, ForbiddenError),
        (OWNER, None),
        (SYSTEM, None),
    ],
    ids=["anonymous", "outsider", "inspector", "staff", "owner", "system"],
)
def test_require_owner_by_actor(actor: Actor, expected: type | None) -> None:
    assert raises(lambda: access.require_owner(actor, 10)) is expected


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (ANONYMOUS, UnauthenticatedError),
        (OUTSIDER, ForbiddenError),
        (STAFF, ForbiddenError),
        (INSPECTOR, None),
        (OWNER, None),
    ],
    ids=["anonymous", "outsider", "staff", "inspector", "owner"],
)
def test_require_member_by_actor(actor: Actor, expected: type | None) -> None:
    assert raises(lambda: access.require_member(actor, 10)) is expected


@pytest.mark.parametrize("model", [User, Membership, Node, Address])
def test_members_only_models_refuse_anonymous_queries(model: type) -> None:
    assert raises(lambda: access.require_may_query(ANONYMOUS, model)) is (
        UnauthenticatedError
    )
    assert raises(lambda: access.require_may_query(OUTSIDER, model)) is None


@pytest.mark.parametrize("model", [Organization, Site])
def test_public_models_may_be_queried_anonymously(model: type) -> None:
    assert raises(lambda: access.require_may_query(ANONYMOUS, model)) is None


def test_moving_a_membership_needs_owner_of_both_organizations() -> None:
    membership = Membership(user_id=9, organization_id=10, role=Role.INSPECTOR)

    to_inspected = raises(
        lambda: access.require_may_move_membership(OWNER, membership, 20)
    )
    to_owned = raises(
        lambda: access.require_may_move_membership(
            OWNER.with_role(30, Role.OWNER), membership, 30
        )
    )

    assert to_inspected is ForbiddenError
    assert to_owned is None


def test_members_are_known_to_members_only() -> None:
    assert access.may_see_members(INSPECTOR, 10)
    assert not access.may_see_members(OUTSIDER, 10)
    assert not access.may_see_members(ANONYMOUS, 10)
    assert sql(access.members_of(10, OUTSIDER)) == "false"
    assert "organization_id = 10" in sql(access.members_of(10, INSPECTOR))


@pytest.mark.parametrize("actor", [ANONYMOUS, OUTSIDER, INSPECTOR, STAFF])
def test_users_visible_are_self_and_shared_organizations(actor: Actor) -> None:
    condition = sql(access.visible(User, actor))

    if actor.user_id is None:
        assert condition == "false"
    else:
        assert f"users.id = {actor.user_id}" in condition


def test_email_lookup_needs_an_authenticated_actor_and_an_address() -> None:
    assert sql(access.findable_by_email(ANONYMOUS, "a@b.de")) == "false"
    assert sql(access.findable_by_email(OUTSIDER, "not an address")) == "false"
    found = sql(access.findable_by_email(OUTSIDER, " A@B.de "))
    assert "lower(users.email) = 'a@b.de'" in found
    assert "users.is_active" in found


def test_membership_visibility_is_the_actors_organizations() -> None:
    assert sql(access.visible(Membership, OUTSIDER)) == "false"
    assert "IN (10, 20)" in sql(access.visible(Membership, OWNER))
