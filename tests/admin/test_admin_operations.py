"""Operations pages: ingest tokens, analyst roles, jobs, outbox, node liveness."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from flask.testing import FlaskClient

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.models import AnalystRole, ApiToken, JobRun, OutboxEntry, User
from app.models.devices import Fidelity
from app.services.accounts import tokens
from tests.factories import (
    make_fidelity,
    make_installation,
    make_node,
    make_organization,
    make_token,
)
from tests.support.admin_forms import page_text, press, submit


def test_issued_ingest_token_is_shown_once_and_works(
    staff_client: FlaskClient, session: Session
) -> None:
    org = make_organization(session)

    response = submit(
        staff_client,
        "/admin/ingest_tokens/",
        {"name": "LoRa gateway", "organization": str(org.id)},
    )

    match = re.search(r'id="issued-secret">([0-9a-f]{40})<', page_text(response))
    assert match is not None
    secret = match.group(1)
    assert response.headers["Cache-Control"] == "no-store"
    stored = tokens.find_active(session, secret, "ingest")
    assert stored is not None
    assert stored.organization_id == org.id
    assert secret not in page_text(staff_client.get("/admin/ingest_tokens/"))


@pytest.mark.parametrize("raw", ["abc", "\N{SUPERSCRIPT TWO}", "9" * 23])
def test_ingest_token_for_an_organization_that_cannot_be_is_refused(
    staff_client: FlaskClient, session: Session, raw: str
) -> None:
    # "abc" used to issue a token for every organization in silence; "²"
    # answered 500, a number past the key's range a 400 page without the form.
    response = submit(
        staff_client,
        "/admin/ingest_tokens/",
        {"name": "LoRa gateway", "organization": raw},
    )

    assert response.status_code == 200
    assert f'Invalid pk "{raw}" - object does not exist.' in unescape(
        page_text(response)
    )
    assert (
        session.scalars(select(ApiToken).where(ApiToken.name == "LoRa gateway")).all()
        == []
    )


@pytest.mark.parametrize("raw", ["abc", "\N{SUPERSCRIPT TWO}", "9" * 23])
def test_analyst_role_for_an_organization_that_cannot_be_is_refused(
    staff_client: FlaskClient, session: Session, raw: str
) -> None:
    name = f"ana_admin_{secrets.token_hex(4)}"

    response = submit(
        staff_client,
        "/admin/analyst_roles/",
        {"name": name, "password": "s3cret-pw", "organizations": raw},
    )

    assert response.status_code == 200
    assert f'Invalid pk "{raw}" - object does not exist.' in unescape(
        page_text(response)
    )
    assert session.get(AnalystRole, name) is None


def test_ingest_token_name_with_nul_is_refused_on_the_page(
    staff_client: FlaskClient, session: Session
) -> None:
    # It reached the database: a bare 400 page without the form.
    response = submit(
        staff_client,
        "/admin/ingest_tokens/",
        {"name": "Gate\x00way", "organization": ""},
    )

    assert response.status_code == 200
    assert "Name: This field may not contain NUL characters." in unescape(
        page_text(response)
    )
    assert (
        session.scalars(select(ApiToken).where(ApiToken.name.like("Gate%"))).all() == []
    )


def test_analyst_role_password_with_nul_is_refused(
    staff_client: FlaskClient, session: Session
) -> None:
    # It was stored: a password no PostgreSQL client can send.
    name = f"ana_admin_{secrets.token_hex(4)}"

    response = submit(
        staff_client,
        "/admin/analyst_roles/",
        {"name": name, "password": "s3cret\x00pw", "public_data": "on"},
    )

    assert response.status_code == 200
    assert "Password: This field may not contain NUL characters." in unescape(
        page_text(response)
    )
    assert session.get(AnalystRole, name) is None


def test_ingest_token_list_never_shows_the_digest(
    staff_client: FlaskClient, session: Session
) -> None:
    token = make_token(session, name="gateway")

    body = page_text(staff_client.get("/admin/ingest_tokens/"))

    assert token.prefix in body
    assert token.digest not in body


def test_revoked_ingest_token_stops_working(
    staff_client: FlaskClient, session: Session
) -> None:
    issued = tokens.issue_ingest_token(session, None, "old")

    response = press(
        staff_client,
        "/admin/ingest_tokens/",
        f"/admin/ingest_tokens/{issued.token.id}/revoke/",
    )

    assert response.status_code == 302
    assert tokens.find_active(session, issued.key, "ingest") is None


def test_user_api_key_cannot_be_revoked_as_an_ingest_token(
    staff_client: FlaskClient, session: Session, staff: User
) -> None:
    key = make_token(session, kind="user", user_id=staff.id)
    session.commit()  # the refused request rolls back

    submit(
        staff_client,
        f"/admin/ingest_tokens/{key.id}/revoke/",
        {},
        form_url="/admin/ingest_tokens/",
    )

    assert (
        session.scalar(select(ApiToken.revoked_at).where(ApiToken.id == key.id)) is None
    )


def test_analyst_role_is_created_and_dropped_in_the_admin(
    staff_client: FlaskClient, session: Session
) -> None:
    org = make_organization(session)
    name = f"ana_admin_{secrets.token_hex(4)}"

    created = submit(
        staff_client,
        "/admin/analyst_roles/",
        {"name": name, "password": "s3cret-pw", "organizations": str(org.id)},
    )
    listed = page_text(staff_client.get("/admin/analyst_roles/"))
    dropped = press(
        staff_client, "/admin/analyst_roles/", f"/admin/analyst_roles/{name}/drop/"
    )

    assert created.status_code == 302, page_text(created)[-2000:]
    assert name in listed
    assert org.name in listed
    assert dropped.status_code == 302
    assert session.get(AnalystRole, name) is None
    assert (
        session.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}
        ).first()
        is None
    )


def test_analyst_role_with_a_bad_name_shows_the_services_error(
    staff_client: FlaskClient, session: Session
) -> None:
    response = submit(
        staff_client,
        "/admin/analyst_roles/",
        {"name": "Bad-Name", "password": "pw", "public_data": "on"},
    )

    assert response.status_code == 200
    assert "Invalid role name 'Bad-Name'" in unescape(page_text(response))


def test_jobs_page_lists_every_job_with_its_last_run(
    staff_client: FlaskClient, session: Session
) -> None:
    session.add(
        JobRun(
            job_id="retention",
            last_started_at=datetime(2024, 5, 1, 12, tzinfo=UTC),
            last_result="ok",
            last_duration_s=0.25,
            last_counts={"chunks": 3},
        )
    )
    session.flush()

    body = page_text(staff_client.get("/admin/jobs/"))

    for job in ("fidelity-check", "outbox-delivery", "aggregates-refresh", "retention"):
        assert f'data-job="{job}"' in body
    assert "2024-05-01 12:00:00 UTC" in body
    assert "chunks=3" in body
    never_run = body.split('data-job="fidelity-check"', 1)[1].split("</tr>", 1)[0]
    assert never_run.count("<td>\N{EN DASH}</td>") == 2  # no last or next run


def test_run_now_runs_the_job_and_records_it(
    staff_client: FlaskClient, session: Session
) -> None:
    response = press(staff_client, "/admin/jobs/", "/admin/jobs/retention/run/")

    assert response.status_code == 302
    assert "Job retention ran." in page_text(staff_client.get("/admin/jobs/"))
    run = session.get(JobRun, "retention")
    assert run is not None
    assert run.last_result == "ok"


def test_unknown_job_with_nul_in_its_id_leaves_the_browser_working(
    staff_client: FlaskClient,
) -> None:
    # The flashed message rides in the session cookie; with NUL in it every
    # later request of this browser answered 500 (log-out included).
    response = submit(
        staff_client, "/admin/jobs/a%00b/run/", {}, form_url="/admin/jobs/"
    )
    page = staff_client.get("/admin/jobs/")

    assert response.status_code == 302
    assert page.status_code == 200
    assert "Job a\ufffdb does not run here." in unescape(page_text(page))


def test_dropping_a_role_name_with_nul_says_there_is_none(
    staff_client: FlaskClient,
) -> None:
    response = submit(
        staff_client,
        "/admin/analyst_roles/a%00b/drop/",
        {},
        form_url="/admin/analyst_roles/",
    )
    page = staff_client.get("/admin/analyst_roles/")

    assert response.status_code == 302
    assert page.status_code == 200
    assert "No analyst role named 'a\ufffdb'" in unescape(page_text(page))


def test_outbox_parked_rows_are_listed_and_made_due_again(
    staff_client: FlaskClient, session: Session
) -> None:
    inst = make_installation(session)
    row = OutboxEntry(
        publisher="webhook",
        installation_id=inst.id,
        node_id=inst.node_id,
        time=datetime(2024, 1, 2, tzinfo=UTC),
        attempts=10,
        parked_at=datetime(2024, 1, 3, tzinfo=UTC),
        last_error="HTTP 500 from the receiver",
    )
    session.add(row)
    session.flush()

    listed = page_text(staff_client.get("/admin/outbox/"))
    response = press(
        staff_client, "/admin/outbox/", "/admin/outbox/retry/", publisher="webhook"
    )

    assert "HTTP 500 from the receiver" in listed
    assert response.status_code == 302
    session.refresh(row)
    assert (row.parked_at, row.attempts) == (None, 0)


def test_liveness_page_counts_verdicts_and_lists_dead_nodes(
    staff_client: FlaskClient, session: Session
) -> None:
    dead = make_node(session, alias="Keller-Sensor")
    make_fidelity(
        session,
        dead,
        fidelity=Fidelity.DEAD,
        last_contact=datetime.now(UTC) - timedelta(days=3),
    )
    make_fidelity(session, make_node(session), fidelity=Fidelity.ALIVE)

    body = page_text(staff_client.get("/admin/liveness/"))

    assert re.search(r'data-fidelity="D">\s*\d+', body)
    assert "Keller-Sensor" in body
    assert dead.eui64 in body
