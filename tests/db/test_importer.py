"""The Managair importer: ids, hashes and e-mail flags kept, idempotent, never choking."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ImportedRow, Membership, Organization, Role, Sample, User
from app.services.accounts.passwords import verify_password
from app.services.importer import (
    FixtureImportError,
    ImportConflictError,
    import_fixtures,
)
from tests.factories import make_node, make_organization, make_user
from tests.support.managair import fixture_file, import_people
from tests.support.managair_data import (
    DATA_FILE,
    INVENTORY_FILE,
    USERS_FILE,
    hpi_node_id,
)

USERS = fixture_file(USERS_FILE)
INVENTORY = fixture_file(INVENTORY_FILE)
DATA = fixture_file(DATA_FILE)


def write(tmp_path: Path, records: list[dict[str, Any]], name: str = "f.json") -> Path:
    """Write a fixture file and return its path."""
    path = tmp_path / name
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def user_record(pk: int, username: str, **fields: Any) -> dict[str, Any]:
    """An ``auth.user`` record with Django's field names."""
    values = {
        "password": "pbkdf2_sha256$1$salt$x",
        "last_login": None,
        "is_superuser": False,
        "username": username,
        "first_name": "",
        "last_name": "",
        "email": f"{username}@example.org",
        "is_staff": False,
        "is_active": True,
        "date_joined": "2020-10-11T17:30:00Z",
        **fields,
    }
    return {"model": "auth.user", "pk": pk, "fields": values}


def test_import_users_keeps_ids_names_and_flags(session: Session) -> None:
    report = import_fixtures(session, [USERS])

    users = {u.id: u for u in session.scalars(select(User))}
    assert report.of("auth.user").result.created == 7
    assert users[2].username == "tomTester"
    assert (users[2].first_name, users[2].last_name) == ("Tom", "Tester")
    assert users[1].is_superuser
    assert users[1].is_staff
    assert not users[2].is_staff
    assert users[7].last_name == "Prüferin"


def test_import_users_keeps_django_hashes_that_verify(session: Session) -> None:
    import_fixtures(session, [USERS])

    anna = session.get(User, 5)

    assert anna is not None
    assert anna.password_hash.startswith("pbkdf2_sha256$216000$")
    assert verify_password(anna.password_hash, "anna")


def test_import_email_addresses_mark_verified_users(session: Session) -> None:
    report = import_fixtures(session, [USERS])

    flags = dict(session.execute(select(User.username, User.email_verified)).all())
    assert report.of("account.emailaddress").status == "imported"
    assert flags.pop("admin") is False
    assert all(flags.values())


def test_import_twice_creates_and_changes_nothing(session: Session) -> None:
    import_people(session)

    again = import_people(session)

    for label in ("auth.user", "core.organization", "core.membership"):
        result = again.of(label).result
        assert (result.created, result.changed) == (0, 0), label
    assert again.of("account.emailaddress").result.changed == 0
    assert session.scalar(select(User.email_verified).where(User.id == 2)) is True


def test_import_again_updates_changed_rows(session: Session, tmp_path: Path) -> None:
    import_fixtures(session, [write(tmp_path, [user_record(40, "old")])])

    report = import_fixtures(
        session, [write(tmp_path, [user_record(40, "new", first_name="N")])]
    )

    assert report.of("auth.user").result.changed == 1
    assert session.get(User, 40) is not None
    assert session.scalar(select(User.username).where(User.id == 40)) == "new"


def test_import_changed_email_loses_verification(
    session: Session, tmp_path: Path
) -> None:
    import_fixtures(session, [USERS])

    import_fixtures(
        session, [write(tmp_path, [user_record(5, "annaAngestellte", email="a@b.de")])]
    )

    assert session.scalar(select(User.email_verified).where(User.id == 5)) is False


def test_import_resets_identity_sequences(session: Session) -> None:
    import_people(session)

    user = make_user(session)
    org = make_organization(session)

    assert user.id > 7
    assert org.id > 3


def test_import_organizations_and_memberships_from_inventory_file(
    session: Session,
) -> None:
    report = import_people(session)

    roles = {
        m.id: (m.user_id, m.organization_id, m.role)
        for m in session.scalars(select(Membership))
    }
    assert report.of("core.organization").result.created == 3
    assert session.scalar(select(Organization.name).where(Organization.id == 2)) == (
        "Versuchsverbund"
    )
    assert len(roles) == 9
    assert roles[15] == (7, 2, Role.OWNER)
    assert roles[16] == (7, 1, Role.INSPECTOR)


def test_import_loads_every_managair_model_and_ignores_django_internals(
    session: Session,
) -> None:
    report = import_fixtures(session, [USERS, INVENTORY, DATA])

    assert report.unsupported == ()
    assert report.of("core.sample").result.created == 3855
    assert report.of("core.node").result.created == 9
    assert report.of("core.roomnodeinstallation").result.created == 3
    assert report.of("auth.permission").status == "ignored"


def test_import_order_of_files_does_not_matter(session: Session) -> None:
    report = import_fixtures(session, [INVENTORY, USERS])

    assert report.of("core.membership").result.created == 9


def test_import_assistant_role_becomes_inspector(
    session: Session, tmp_path: Path
) -> None:
    records = [
        user_record(50, "assi"),
        {"model": "core.organization", "pk": 50, "fields": {"name": "Old"}},
        {
            "model": "core.membership",
            "pk": 50,
            "fields": {"role": "A", "user": 50, "organization": 50},
        },
    ]

    report = import_fixtures(session, [write(tmp_path, records)])

    assert session.scalar(select(Membership.role).where(Membership.id == 50)) == (
        Role.INSPECTOR
    )
    assert report.of("core.membership").result.notes


def test_import_membership_of_missing_user_fails_clearly(
    session: Session, tmp_path: Path
) -> None:
    records = [
        {"model": "core.organization", "pk": 60, "fields": {"name": "Lonely"}},
        {
            "model": "core.membership",
            "pk": 60,
            "fields": {"role": "O", "user": 999, "organization": 60},
        },
    ]

    with pytest.raises(
        FixtureImportError, match=r"core\.membership pk 60.*users id 999"
    ):
        import_fixtures(session, [write(tmp_path, records)])


def test_import_username_taken_by_another_id_is_listed_before_writing(
    session: Session, tmp_path: Path
) -> None:
    taken = make_user(session, username="taken")

    with pytest.raises(
        ImportConflictError,
        match=rf"auth\.user pk 70 \(f\.json\): username 'taken' is taken by users"
        rf" id {taken.id} \(username 'taken'\)",
    ):
        import_fixtures(session, [write(tmp_path, [user_record(70, "taken")])])


def test_import_record_without_field_fails_clearly(
    session: Session, tmp_path: Path
) -> None:
    record = user_record(80, "x")
    del record["fields"]["username"]

    with pytest.raises(FixtureImportError, match=r"auth\.user pk 80.*'username'"):
        import_fixtures(session, [write(tmp_path, [record])])


@pytest.mark.parametrize(
    "content", ["{not json", '{"model": "auth.user"}', '[{"pk": 1}]']
)
def test_import_malformed_file_fails_clearly(
    session: Session, tmp_path: Path, content: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(FixtureImportError, match=r"bad\.json"):
        import_fixtures(session, [path])


def test_import_refuses_ids_held_by_rows_made_here_and_writes_nothing(
    session: Session, tmp_path: Path
) -> None:
    mine = make_user(session, first_name="Olivia")
    records = [user_record(mine.id + 1000, "newbie"), user_record(mine.id, "intruder")]

    with pytest.raises(ImportConflictError) as refused:
        import_fixtures(session, [write(tmp_path, records)])

    assert (
        f"auth.user pk {mine.id} (f.json) would overwrite users id {mine.id} "
        f"(username '{mine.username}')"
    ) in str(refused.value)
    assert len(refused.value.conflicts) == 1
    session.refresh(mine)
    assert (mine.username, mine.first_name) != ("intruder", "")
    assert session.get(User, mine.id + 1000) is None
    assert session.scalar(select(func.count(ImportedRow.target_id))) == 0


def test_import_refuses_records_attaching_to_rows_made_here(
    session: Session, tmp_path: Path
) -> None:
    mine = make_user(session)
    node = make_node(session)
    free = node.owner_id + 1000
    records = [
        {"model": "core.organization", "pk": free, "fields": {"name": "Takeover"}},
        {
            "model": "core.membership",
            "pk": free,
            "fields": {"role": "O", "user": mine.id, "organization": free},
        },
        {
            "model": "core.sample",
            "pk": 1,
            "fields": {"node": str(node.id), "timestamp_s": 1600000000, "co2_ppm": 500},
        },
    ]

    with pytest.raises(ImportConflictError) as refused:
        import_fixtures(session, [write(tmp_path, records)])

    message = str(refused.value)
    assert f"core.membership pk {free} (f.json) refers to users id {mine.id}" in message
    assert f"core.sample pk 1 (f.json) refers to nodes id {node.id}" in message
    assert session.get(Organization, free) is None
    assert session.scalar(select(func.count(Sample.node_id))) == 0


def test_import_counts_and_names_stored_samples_that_differ(
    session: Session, tmp_path: Path
) -> None:
    import_people(session)
    node = hpi_node_id("a81758fffe053cab")
    live = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    session.add(
        Sample(
            node_id=uuid.UUID(node),
            time=live,
            co2_ppm=600,
            temperature_celsius=Decimal("21.6"),
        )
    )
    session.flush()
    sample = {"node": node, "co2_ppm": 500, "temperature_celsius": "21.6"}
    rounded = {**sample, "timestamp_s": 1709294460, "temperature_celsius": "21.55"}
    records = [
        {
            "model": "core.sample",
            "pk": 1,
            "fields": {**sample, "timestamp_s": 1709294400},
        },
        {"model": "core.sample", "pk": 2, "fields": rounded},
    ]
    import_fixtures(session, [write(tmp_path, records[1:], "first.json")])

    report = import_fixtures(session, [write(tmp_path, records)])

    result = report.of("core.sample").result
    assert (result.created, result.changed, result.unchanged) == (0, 0, 1)
    assert result.conflicting == 1
    assert result.conflicts == (
        f"node {node} at 2024-03-01T12:00:00Z (core.sample pk 1 (f.json))",
    )
    assert report.conflicting == (report.of("core.sample"),)
    kept = session.scalar(select(Sample.co2_ppm).where(Sample.time == live))
    assert kept == 600


def test_import_remembers_the_rows_it_wrote(session: Session) -> None:
    import_people(session)

    rows = session.execute(
        select(ImportedRow.model, func.count()).group_by(ImportedRow.model)
    )

    counts = {model: n for model, n in rows}
    assert counts["auth.user"] == 7
    assert counts["core.membership"] == 9
    assert counts["core.node"] == 9
    assert "account.emailaddress" not in counts


@pytest.mark.parametrize(
    "stored",
    [
        "pbkdf2_sha256$0$salt$abc",
        "pbkdf2_sha256$99999999999999999999$salt$abc",
        "pbkdf2_sha256$10000001$salt$abc",
        "pbkdf2_sha256$-5$salt$abc",
        "pbkdf2_sha256$x$salt$abc",
    ],
)
def test_import_reports_django_hashes_with_bad_rounds_as_unusable(
    session: Session, tmp_path: Path, stored: str
) -> None:
    record = user_record(90, "rounds", password=stored)

    report = import_fixtures(session, [write(tmp_path, [record])])

    assert report.of("auth.user").result.notes == (
        "1 users have password hashes of another scheme; they must reset",
    )
