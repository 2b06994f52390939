"""The tenancy rules of app.services.access against real PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from flask import Flask

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UnauthenticatedError,
)
from app.extensions import db
from app.models import Membership, Organization, Role, User
from app.services import access
from app.services.access import ANONYMOUS, actor_for
from tests.factories import (
    make_installation,
    make_membership,
    make_node,
    make_organization,
    make_room,
    make_site,
    make_user,
)


def visible_ids(session: Session, model: type[User], actor: access.Actor) -> set[int]:
    """The ids of the rows of ``model`` that ``actor`` may see."""
    return set(session.scalars(access.scoped(select(model.id), model, actor)))


def test_users_see_themselves_and_co_members_only(session: Session) -> None:
    me, mate, stranger = make_user(session), make_user(session), make_user(session)
    org = make_organization(session)
    make_membership(session, me, org)
    make_membership(session, mate, org, Role.OWNER)

    seen = visible_ids(session, User, actor_for(session, me))

    assert me.id in seen
    assert mate.id in seen
    assert stranger.id not in seen


def test_user_without_organizations_sees_only_themselves(session: Session) -> None:
    lonely = make_user(session)
    make_user(session)

    assert visible_ids(session, User, actor_for(session, lonely)) == {lonely.id}


def test_email_lookup_finds_strangers_ignoring_case_but_not_inactive(
    session: Session,
) -> None:
    me = make_user(session)
    stranger = make_user(session, email="Stranger@Example.org")
    make_user(session, email="gone@example.org", is_active=False)
    actor = actor_for(session, me)

    found = set(
        session.scalars(
            select(User.id).where(
                access.findable_by_email(actor, "stranger@example.ORG")
            )
        )
    )
    inactive = session.scalars(
        select(User.id).where(access.findable_by_email(actor, "gone@example.org"))
    ).all()

    assert found == {stranger.id}
    assert inactive == []


def test_members_of_lists_members_for_members_only(session: Session) -> None:
    member, outsider = make_user(session), make_user(session)
    org = make_organization(session)
    make_membership(session, member, org)

    for_member = session.scalars(
        select(User.id).where(access.members_of(org.id, actor_for(session, member)))
    ).all()
    for_outsider = session.scalars(
        select(User.id).where(access.members_of(org.id, actor_for(session, outsider)))
    ).all()

    assert for_member == [member.id]
    assert for_outsider == []


def test_organization_with_public_installation_is_visible_to_anonymous(
    session: Session,
) -> None:
    public, private = make_organization(session), make_organization(session)
    room = make_room(session, make_site(session, public))
    make_installation(session, make_node(session, public), room, is_public=True)

    seen = set(
        session.scalars(access.scoped(select(Organization.id), Organization, ANONYMOUS))
    )

    assert public.id in seen
    assert private.id not in seen


def test_get_owned_answers_401_404_403_then_the_row(session: Session) -> None:
    owner, inspector, outsider = (make_user(session) for _ in range(3))
    org = make_organization(session)
    make_membership(session, owner, org, Role.OWNER)
    make_membership(session, inspector, org)

    def attempt(user: User | None) -> type[Exception] | Organization:
        actor = ANONYMOUS if user is None else actor_for(session, user)
        try:
            return access.get_owned(session, actor, Organization, org.id)
        except (UnauthenticatedError, NotFoundError, ForbiddenError) as exc:
            return type(exc)

    assert attempt(None) is UnauthenticatedError
    assert attempt(outsider) is NotFoundError
    assert attempt(inspector) is ForbiddenError
    assert attempt(owner) is org


def test_owner_remains_refuses_losing_the_only_owner(session: Session) -> None:
    org = make_organization(session)
    sole = make_membership(session, make_user(session), org, Role.OWNER)

    with pytest.raises(ConflictError, match="at least one owner"):
        access.require_owner_remains(session, org.id, [sole], "/data/attributes/role")


def test_owner_remains_allows_losing_one_of_two_owners(session: Session) -> None:
    org = make_organization(session)
    first = make_membership(session, make_user(session), org, Role.OWNER)
    make_membership(session, make_user(session), org, Role.OWNER)

    access.require_owner_remains(session, org.id, [first])


def test_owner_remains_ignores_inspectors_even_without_owners(
    session: Session,
) -> None:
    org = make_organization(session)
    inspector = make_membership(session, make_user(session), org)

    access.require_owner_remains(session, org.id, [inspector])


@pytest.fixture
def two_owners(app: Flask) -> Iterator[tuple[int, int, int]]:
    """A committed organization with two OWNER memberships, removed afterwards."""
    with Session(db.engine) as s:
        org = Organization(name="Two owners race")
        users = [
            User(username=f"race{i}", email=f"race{i}@example.org") for i in (1, 2)
        ]
        s.add_all([org, *users])
        s.flush()
        m1, m2 = (
            Membership(user_id=u.id, organization_id=org.id, role=Role.OWNER)
            for u in users
        )
        s.add_all([m1, m2])
        s.commit()
        ids = (org.id, m1.id, m2.id)
        user_ids = [u.id for u in users]
    yield ids
    with Session(db.engine) as s:
        s.execute(delete(Organization).where(Organization.id == ids[0]))
        s.execute(delete(User).where(User.id.in_(user_ids)))
        s.commit()


def test_owner_remains_serializes_two_owners_demoting_each_other(
    two_owners: tuple[int, int, int],
) -> None:
    org_id, m1_id, m2_id = two_owners
    outcome: dict[str, object] = {}
    engine = db.engine

    def demote(membership_id: int, started: threading.Event) -> None:
        with Session(engine) as s:
            membership = s.get(Membership, membership_id)
            assert membership is not None
            started.set()
            try:
                access.require_owner_remains(s, org_id, [membership])
            except ConflictError as exc:
                outcome[str(membership_id)] = exc
                return
            s.execute(
                update(Membership)
                .where(Membership.id == membership_id)
                .values(role=Role.INSPECTOR)
            )
            s.commit()
            outcome[str(membership_id)] = "demoted"

    with Session(engine) as first:
        m1 = first.get(Membership, m1_id)
        assert m1 is not None
        access.require_owner_remains(first, org_id, [m1])  # takes the lock
        started = threading.Event()
        second = threading.Thread(target=demote, args=(m2_id, started))
        second.start()
        started.wait(5)
        second.join(0.5)
        assert second.is_alive()  # waiting for the organization's row lock
        first.execute(
            update(Membership).where(Membership.id == m1_id).values(role=Role.INSPECTOR)
        )
        first.commit()
    second.join(5)

    assert isinstance(outcome[str(m2_id)], ConflictError)
