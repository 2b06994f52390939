"""Every integrity rule of the data model is enforced by the database itself."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest

from psycopg import errors as pg
from sqlalchemy import delete, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import (
    Address,
    Installation,
    Membership,
    Node,
    NodeModel,
    Organization,
    Protocol,
    Quantity,
    Role,
    Room,
    Sample,
    Site,
)
from app.models.devices import node_model_quantities
from tests.factories import (
    T0,
    make_address,
    make_installation,
    make_membership,
    make_model,
    make_node,
    make_organization,
    make_protocol,
    make_quantity,
    make_room,
    make_site,
    make_token,
    make_user,
)


def violates(
    session: Session, error: type[Exception], act: Callable[[], object]
) -> str:
    """Run ``act``, flush, and return the name of the violated constraint."""

    def act_and_flush() -> None:
        act()
        session.flush()

    with pytest.raises(IntegrityError) as info:
        act_and_flush()
    assert isinstance(info.value.orig, error), repr(info.value.orig)
    session.rollback()
    diag = getattr(info.value.orig, "diag", None)
    return str(getattr(diag, "constraint_name", "") or "")


# -- uniqueness ---------------------------------------------------------------------


def test_organization_name_is_unique(session: Session) -> None:
    make_organization(session, name="Bar Blau")

    name = violates(
        session, pg.UniqueViolation, lambda: session.add(Organization(name="Bar Blau"))
    )

    assert name == "uq_organizations_name"


def test_organization_name_blank_is_refused(session: Session) -> None:
    violates(session, pg.CheckViolation, lambda: session.add(Organization(name="  ")))


def test_site_name_is_unique_per_organization(session: Session) -> None:
    org = make_organization(session)
    site = make_site(session, operator=org, name="Haus A")
    make_site(session, name="Haus A")  # same name, other organization: fine

    name = violates(
        session,
        pg.UniqueViolation,
        lambda: session.add(
            Site(name="Haus A", operator_id=org.id, address_id=site.address_id)
        ),
    )

    assert name == "uq_sites_operator_id_name"


def test_room_name_is_unique_per_site(session: Session) -> None:
    room = make_room(session, name="Klasse 1")
    make_room(session, name="Klasse 1")  # other site: fine

    name = violates(
        session,
        pg.UniqueViolation,
        lambda: session.add(Room(name="Klasse 1", site_id=room.site_id)),
    )

    assert name == "uq_rooms_site_id_name"


def test_membership_is_unique_per_user_and_organization(session: Session) -> None:
    user, org = make_user(session), make_organization(session)
    make_membership(session, user, org, Role.OWNER)

    violates(
        session,
        pg.UniqueViolation,
        lambda: session.add(
            Membership(user_id=user.id, organization_id=org.id, role=Role.INSPECTOR)
        ),
    )


def test_membership_role_must_be_owner_or_inspector(session: Session) -> None:
    user, org = make_user(session), make_organization(session)

    violates(
        session,
        pg.CheckViolation,
        lambda: session.execute(
            text(
                "INSERT INTO memberships (user_id, organization_id, role) VALUES (:u, :o, 'A')"
            ),
            {"u": user.id, "o": org.id},
        ),
    )


def test_username_is_unique(session: Session) -> None:
    make_user(session, username="tom")

    violates(session, pg.UniqueViolation, lambda: make_user(session, username="tom"))


def test_email_is_unique_case_insensitively(session: Session) -> None:
    make_user(session, email="Tom@Example.org")

    violates(
        session, pg.UniqueViolation, lambda: make_user(session, email="tom@example.ORG")
    )


def test_node_eui64_is_unique(session: Session) -> None:
    make_node(session, eui64="A81758FFFE052B0F")

    violates(
        session,
        pg.UniqueViolation,
        lambda: make_node(session, eui64="A81758FFFE052B0F"),
    )


def test_node_eui64_must_be_stored_upper_case(session: Session) -> None:
    violates(
        session, pg.CheckViolation, lambda: make_node(session, eui64="a81758fffe052b0f")
    )


@pytest.mark.parametrize(
    ("factory", "key"),
    [(make_quantity, "quantity"), (make_protocol, "identifier"), (make_model, "name")],
)
def test_catalogue_names_are_unique(
    session: Session, factory: Callable[..., object], key: str
) -> None:
    factory(session, **{key: "X1"})

    violates(session, pg.UniqueViolation, lambda: factory(session, **{key: "X1"}))


def test_token_digest_is_unique(session: Session) -> None:
    make_token(session, digest="a" * 64)

    violates(session, pg.UniqueViolation, lambda: make_token(session, digest="a" * 64))


def test_user_token_needs_a_user(session: Session) -> None:
    violates(session, pg.CheckViolation, lambda: make_token(session, kind="user"))


# -- installations ------------------------------------------------------------------


def test_installation_from_after_to_is_refused(session: Session) -> None:
    name = violates(
        session,
        pg.CheckViolation,
        lambda: make_installation(
            session, from_time=T0, to_time=T0 - timedelta(seconds=1)
        ),
    )

    assert name == "ck_installations_from_not_after_to"


def test_installation_from_equal_to_is_allowed(session: Session) -> None:
    inst = make_installation(session, from_time=T0, to_time=T0)

    assert inst.id is not None


def test_overlapping_installations_of_one_node_are_refused(session: Session) -> None:
    first = make_installation(session, from_time=T0, to_time=T0 + timedelta(days=10))
    node = session.get(Node, first.node_id)
    room = session.get(Room, first.room_id)

    name = violates(
        session,
        pg.ExclusionViolation,
        lambda: make_installation(
            session, node=node, room=room, from_time=T0 + timedelta(days=5)
        ),
    )

    assert name == "ex_installations_node_period"


def test_installations_touching_at_one_instant_are_allowed(session: Session) -> None:
    """One may end when the next starts (the dashboards' publicity toggle does)."""
    first = make_installation(session, from_time=T0, to_time=T0 + timedelta(days=1))
    node = session.get(Node, first.node_id)

    second = make_installation(session, node=node, from_time=T0 + timedelta(days=1))

    assert second.id is not None


def test_installations_sharing_more_than_an_end_point_overlap(
    session: Session,
) -> None:
    first = make_installation(session, from_time=T0, to_time=T0 + timedelta(days=1))
    node = session.get(Node, first.node_id)

    violates(
        session,
        pg.ExclusionViolation,
        lambda: make_installation(
            session, node=node, from_time=T0 + timedelta(days=1, seconds=-1)
        ),
    )


def test_open_installation_blocks_any_later_one(session: Session) -> None:
    first = make_installation(session, from_time=T0)  # open end
    node = session.get(Node, first.node_id)

    violates(
        session,
        pg.ExclusionViolation,
        lambda: make_installation(
            session, node=node, from_time=T0 + timedelta(days=400)
        ),
    )


def test_consecutive_installations_of_one_node_are_allowed(session: Session) -> None:
    first = make_installation(session, from_time=T0, to_time=T0 + timedelta(days=1))
    node = session.get(Node, first.node_id)

    second = make_installation(
        session, node=node, from_time=T0 + timedelta(days=1, seconds=1)
    )

    assert second.id != first.id


def test_two_nodes_may_share_a_room_at_the_same_time(session: Session) -> None:
    first = make_installation(session, from_time=T0)
    room = session.get(Room, first.room_id)
    assert room is not None
    other = make_node(session, owner=room.site.operator)

    second = make_installation(session, node=other, room=room, from_time=T0)

    assert second.room_id == first.room_id


# -- samples ------------------------------------------------------------------------


def _sample(node: Node, **kw: object) -> Sample:
    values: dict[str, object] = {"node_id": node.id, "time": T0, "co2_ppm": 500}
    values.update(kw)
    return Sample(**values)


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("co2_ppm", -1, "ck_samples_co2_range"),
        ("co2_ppm", 10_001, "ck_samples_co2_range"),
        ("temperature_celsius", Decimal("-20.1"), "ck_samples_temperature_range"),
        ("temperature_celsius", Decimal("40.1"), "ck_samples_temperature_range"),
        ("rel_humidity_percent", -1, "ck_samples_humidity_range"),
        ("rel_humidity_percent", 101, "ck_samples_humidity_range"),
    ],
)
def test_sample_values_out_of_range_are_refused(
    session: Session, field: str, value: object, constraint: str
) -> None:
    node = make_node(session)

    name = violates(
        session, pg.CheckViolation, lambda: session.add(_sample(node, **{field: value}))
    )

    assert name == constraint


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("co2_ppm", 0),
        ("co2_ppm", 10_000),
        ("temperature_celsius", Decimal("-20.0")),
        ("temperature_celsius", Decimal("40.0")),
        ("rel_humidity_percent", 0),
        ("rel_humidity_percent", 100),
    ],
)
def test_sample_values_at_the_limits_are_stored(
    session: Session, field: str, value: object
) -> None:
    node = make_node(session)

    session.add(_sample(node, **{field: value}))
    session.flush()

    assert session.get(Sample, (node.id, T0)) is not None


def test_sample_is_unique_per_node_and_time(session: Session) -> None:
    node = make_node(session)
    session.add(_sample(node))
    session.flush()

    violates(
        session,
        pg.UniqueViolation,
        lambda: session.execute(
            text("INSERT INTO samples (node_id, time, co2_ppm) VALUES (:n, :t, 600)"),
            {"n": node.id, "t": T0},
        ),
    )


def test_sample_status_must_be_known(session: Session) -> None:
    node = make_node(session)

    violates(
        session,
        pg.CheckViolation,
        lambda: session.execute(
            text(
                "INSERT INTO samples (node_id, time, co2_ppm, measurement_status) "
                "VALUES (:n, :t, 600, 'X')"
            ),
            {"n": node.id, "t": T0},
        ),
    )


def test_sample_of_an_unknown_node_is_refused(session: Session) -> None:
    name = violates(
        session,
        pg.ForeignKeyViolation,
        lambda: session.execute(
            text("INSERT INTO samples (node_id, time, co2_ppm) VALUES (:n, :t, 500)"),
            {"n": uuid.uuid4(), "t": T0},
        ),
    )

    assert name == "fk_samples_node_id_nodes"


def test_statement_with_one_unknown_node_among_known_ones_is_refused(
    session: Session,
) -> None:
    node = make_node(session)
    rows = [
        {"n": str(node.id), "t": T0.isoformat()},
        {"n": str(uuid.uuid4()), "t": T0.isoformat()},
        {"n": str(node.id), "t": (T0 + timedelta(minutes=5)).isoformat()},
    ]

    name = violates(
        session,
        pg.ForeignKeyViolation,
        lambda: session.execute(
            text(
                "INSERT INTO samples (node_id, time, co2_ppm) "
                "SELECT CAST(r ->> 'n' AS uuid), CAST(r ->> 't' AS timestamptz), 500 "
                "FROM jsonb_array_elements(CAST(:rows AS jsonb)) r"
            ),
            {"rows": json.dumps(rows)},
        ),
    )

    assert name == "fk_samples_node_id_nodes"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE samples SET node_id = :other WHERE node_id = :n",
        "UPDATE nodes SET id = :other WHERE id = :n",
    ],
    ids=["sample moved to an unknown node", "id of a node with samples changed"],
)
def test_updates_that_break_the_node_reference_are_refused(
    session: Session, statement: str
) -> None:
    node = make_node(session)
    session.add(_sample(node))
    session.flush()

    name = violates(
        session,
        pg.ForeignKeyViolation,
        lambda: session.execute(text(statement), {"other": uuid.uuid4(), "n": node.id}),
    )

    assert name == "fk_samples_node_id_nodes"


def test_deleting_a_node_deletes_its_samples_only(session: Session) -> None:
    node, other = make_node(session), make_node(session)
    session.add_all([_sample(node), _sample(other)])
    session.flush()

    session.execute(delete(Node).where(Node.id == node.id))

    assert _sample_count(session, node) == 0
    assert _sample_count(session, other) == 1


def test_id_of_a_node_without_samples_may_change(session: Session) -> None:
    node = make_node(session)
    new = uuid.uuid4()

    session.execute(
        text("UPDATE nodes SET id = :new WHERE id = :n"), {"new": new, "n": node.id}
    )

    assert (
        session.execute(
            text("SELECT count(*) FROM nodes WHERE id = :new"), {"new": new}
        ).scalar_one()
        == 1
    )


def _sample_count(session: Session, node: Node) -> int:
    return int(
        session.execute(
            text("SELECT count(*) FROM samples WHERE node_id = :n"), {"n": node.id}
        ).scalar_one()
    )


# -- deletes ------------------------------------------------------------------------


def test_protocol_in_use_cannot_be_deleted(session: Session) -> None:
    node = make_node(session)

    violates(
        session,
        pg.ForeignKeyViolation,
        lambda: session.execute(
            delete(Protocol).where(Protocol.id == node.protocol_id)
        ),
    )


def test_model_in_use_cannot_be_deleted(session: Session) -> None:
    node = make_node(session)

    violates(
        session,
        pg.ForeignKeyViolation,
        lambda: session.execute(delete(NodeModel).where(NodeModel.id == node.model_id)),
    )


def test_quantity_of_a_model_cannot_be_deleted(session: Session) -> None:
    quantity = make_quantity(session)
    model = make_model(session)
    session.execute(
        node_model_quantities.insert().values(
            node_model_id=model.id, quantity_id=quantity.id
        )
    )

    violates(
        session,
        pg.ForeignKeyViolation,
        lambda: session.execute(delete(Quantity).where(Quantity.id == quantity.id)),
    )


def test_unused_protocol_can_be_deleted(session: Session) -> None:
    protocol = make_protocol(session)

    session.execute(delete(Protocol).where(Protocol.id == protocol.id))

    assert session.get(Protocol, protocol.id) is None


def test_address_in_use_cannot_be_deleted(session: Session) -> None:
    site = make_site(session)

    violates(
        session,
        pg.ForeignKeyViolation,
        lambda: session.execute(delete(Address).where(Address.id == site.address_id)),
    )


def test_deleting_an_organization_cascades_to_its_inventory(session: Session) -> None:
    inst = make_installation(session)
    node = session.get(Node, inst.node_id)
    assert node is not None
    session.add(_sample(node))
    session.flush()
    org_id, node_id, inst_id = node.owner_id, node.id, inst.id
    address_id = make_address(session).id

    session.execute(delete(Organization).where(Organization.id == org_id))
    session.expire_all()

    assert session.get(Node, node_id) is None
    assert session.get(Installation, inst_id) is None
    assert session.get(Sample, (node_id, T0)) is None
    assert session.get(Address, address_id) is not None
