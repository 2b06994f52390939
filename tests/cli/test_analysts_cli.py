"""``flask analysts``: create, list and drop analyst roles.

CREATE ROLE is transactional, so these run inside the test's rolled-back
transaction and leave no role behind; names are unique because roles are
cluster-wide and other test runs share the cluster.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest

from flask import Flask

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.models import AnalystRole
from tests.factories import make_organization
from tests.support.database import throwaway_database


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "pw"
    path.write_text("an-analyst-password\n", encoding="utf-8")
    return path


def _name() -> str:
    return f"airq_c{os.getpid()}_{secrets.token_hex(3)}"


def _role(session: Session, name: str) -> tuple[bool, bool] | None:
    row = session.execute(
        text("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = :n"),
        {"n": name},
    ).first()
    return None if row is None else (row[0], row[1])


def _invoke(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["analysts", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("command", [[], ["create-role"], ["list"], ["drop-role"]])
def test_analysts_commands_have_help(app: Flask, command: list[str]) -> None:
    code, output = _invoke(app, *command, "--help")

    assert code == 0
    assert "Usage:" in output


def test_analysts_create_role_makes_a_login_role_for_the_organizations(
    app: Flask, session: Session, password_file: Path
) -> None:
    org = make_organization(session)
    name = _name()

    code, output = _invoke(
        app,
        "create-role",
        name,
        "--organization",
        str(org.id),
        "--password-file",
        str(password_file),
    )

    assert code == 0, output
    assert _role(session, name) == (True, False)
    stored = session.get(AnalystRole, name)
    assert stored is not None
    assert [o.organization_id for o in stored.organizations] == [org.id]
    assert stored.timezone == "Europe/Berlin"


def test_analysts_create_role_public_only(
    app: Flask, session: Session, password_file: Path
) -> None:
    name = _name()

    code, output = _invoke(
        app, "create-role", name, "--public", "--password-file", str(password_file)
    )

    assert code == 0, output
    stored = session.get(AnalystRole, name)
    assert stored is not None
    assert stored.public_data
    assert stored.organizations == []


def test_analysts_create_role_prompts_for_the_password(
    app: Flask, session: Session
) -> None:
    name = _name()

    result = app.test_cli_runner().invoke(
        args=["analysts", "create-role", name, "--public"],
        input="pw-123456\npw-123456\n",
    )

    assert result.exit_code == 0, result.output
    assert _role(session, name) == (True, False)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("pw-1234", "This password is too short. It must contain at least 8"),
        ("20261208", "This password is entirely numeric."),
    ],
    ids=["short", "numeric"],
)
def test_analysts_create_role_holds_the_password_to_the_sign_up_rules(
    app: Flask, session: Session, tmp_path: Path, password: str, message: str
) -> None:
    name = _name()
    weak = tmp_path / "weak"
    weak.write_text(password + "\n", encoding="utf-8")

    code, output = _invoke(
        app, "create-role", name, "--public", "--password-file", str(weak)
    )

    assert code == 1, output
    assert output.startswith(f"Error: {message}")
    assert _role(session, name) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organization", "987654321"], "No organization with id 987654321"),
        ([], "at least one organization"),
    ],
)
def test_analysts_create_role_refuses_a_bad_scope(
    app: Flask, session: Session, password_file: Path, args: list[str], message: str
) -> None:
    name = _name()

    code, output = _invoke(
        app, "create-role", name, *args, "--password-file", str(password_file)
    )

    assert code == 1
    assert message in output
    assert _role(session, name) is None


@pytest.mark.parametrize(
    "organization", ["0", "-3", str(2**63), "99999999999999999999"]
)
def test_analysts_create_role_refuses_an_organization_id_out_of_range(
    app: Flask, session: Session, password_file: Path, organization: str
) -> None:
    name = _name()

    args = ["create-role", name, "--organization", organization]
    result = app.test_cli_runner().invoke(
        args=["analysts", *args, "--password-file", str(password_file)]
    )

    assert result.exit_code == 2, result.exception
    assert "Invalid value for '--organization'" in result.output
    assert _role(session, name) is None


@pytest.mark.parametrize("name", ["Upper", "has-dash", "1digit", "x" * 64])
def test_analysts_create_role_refuses_bad_names(
    app: Flask, password_file: Path, name: str
) -> None:
    code, output = _invoke(
        app, "create-role", name, "--public", "--password-file", str(password_file)
    )

    assert code == 1
    assert "Invalid role name" in output


@pytest.mark.parametrize(
    "name", ["pg_analyst", "public", "none", "current_user", "session_user", "user"]
)
def test_analysts_create_role_refuses_names_postgresql_reserves(
    app: Flask, session: Session, password_file: Path, name: str
) -> None:
    # pg_*, public and none ended in a traceback; key words such as current_user
    # made a role that unquoted SQL (ALTER ROLE current_user) cannot name.
    code, output = _invoke(
        app, "create-role", name, "--public", "--password-file", str(password_file)
    )

    assert code == 1, output
    assert "PostgreSQL reserves it" in output
    assert session.get(AnalystRole, name) is None


def test_analysts_create_role_refuses_an_existing_role(
    app: Flask, session: Session, password_file: Path
) -> None:
    existing = session.execute(text("SELECT current_user")).scalar_one()

    code, output = _invoke(
        app, "create-role", existing, "--public", "--password-file", str(password_file)
    )

    assert code == 1
    assert "exists already" in output


def test_analysts_list_shows_roles_and_what_they_see(
    app: Flask, session: Session, password_file: Path
) -> None:
    org = make_organization(session, name="Listed Org")
    name = _name()
    _invoke(
        app,
        "create-role",
        name,
        "--organization",
        str(org.id),
        "--public",
        "--password-file",
        str(password_file),
    )

    code, output = _invoke(app, "list")

    assert code == 0
    line = next(line for line in output.splitlines() if line.startswith(name))
    assert f"organization {org.id} (Listed Org)" in line
    assert "public installations" in line
    assert "Europe/Berlin" in line


def test_analysts_create_role_bounds_sessions_and_statements(
    app: Flask, session: Session, password_file: Path
) -> None:
    name = _name()
    code, output = _invoke(
        app,
        "create-role",
        name,
        "--public",
        "--connection-limit",
        "2",
        "--statement-timeout",
        "60",
        "--password-file",
        str(password_file),
    )
    listed_code, listed = _invoke(app, "list")
    limit, config = session.execute(
        text("SELECT rolconnlimit, rolconfig FROM pg_roles WHERE rolname = :n"),
        {"n": name},
    ).one()

    assert code == 0, output
    assert "at most 2 session(s), statements stop after 60s" in output
    assert limit == 2
    assert "statement_timeout=60s" in config
    assert "idle_in_transaction_session_timeout=600s" in config
    # Only a superuser may cap temporary files; otherwise say what to run.
    assert "temp_file_limit=10GB" in config or "SET temp_file_limit" in output
    assert listed_code == 0
    line = next(line for line in listed.splitlines() if line.startswith(name))
    assert "at most 2 session(s), statements stop after 60s" in line


@pytest.mark.parametrize("option", ["--connection-limit", "--statement-timeout"])
def test_analysts_create_role_refuses_limits_below_one(
    app: Flask, password_file: Path, option: str
) -> None:
    code, output = _invoke(
        app,
        "create-role",
        _name(),
        "--public",
        option,
        "0",
        "--password-file",
        str(password_file),
    )

    assert code == 2
    assert f"Invalid value for '{option}'" in output


def test_analysts_drop_role_removes_role_and_access(
    app: Flask, session: Session, password_file: Path
) -> None:
    name = _name()
    _invoke(app, "create-role", name, "--public", "--password-file", str(password_file))

    code, output = _invoke(app, "drop-role", name, "--yes")

    assert code == 0, output
    assert _role(session, name) is None
    assert session.get(AnalystRole, name) is None


def test_analysts_drop_role_refuses_roles_it_did_not_create(
    app: Flask, session: Session
) -> None:
    existing = session.execute(text("SELECT current_user")).scalar_one()

    code, output = _invoke(app, "drop-role", existing, "--yes")

    assert code == 1
    assert "No analyst role" in output
    assert _role(session, existing) is not None


@pytest.mark.parametrize("name", ["\udcff\udcfe", "Ana-Role", ""])
def test_analysts_drop_role_answers_a_name_no_role_can_have_in_one_line(
    app: Flask, name: str
) -> None:
    code, output = _invoke(app, "drop-role", name, "--yes")

    assert code == 1, output
    assert output == (
        f"Error: No analyst role named {name!r} in this database (their names are "
        "lower-case letters, digits and underscores; see flask analysts list).\n"
    )


def test_analysts_create_role_and_list_name_other_databases_open_to_it(
    app: Flask, session: Session, password_file: Path
) -> None:
    name = _name()
    with throwaway_database("co2_open"):  # CONNECT granted to PUBLIC, as made
        code, output = _invoke(
            app, "create-role", name, "--public", "--password-file", str(password_file)
        )
        listed_code, listed = _invoke(app, "list")

    assert code == 0, output
    assert f"Warning: {name!r} can also connect to" in output
    assert "REVOKE CONNECT ON DATABASE" in output
    assert listed_code == 0
    line = next(line for line in listed.splitlines() if line.startswith(name))
    assert "[can also connect to " in line
