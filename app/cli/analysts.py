"""``flask analysts``: PostgreSQL login roles for analysts with SQL."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from app.cli.group import Group
from app.cli.passwords import check_password, password_file_option, read_password
from app.db import transaction
from app.errors import DomainError
from app.services.access import SYSTEM
from app.services.ops.analysts import (
    DEFAULT_CONNECTION_LIMIT,
    DEFAULT_STATEMENT_TIMEOUT_S,
    ROLE_NAME,
    TEMP_FILE_LIMIT,
    AnalystRoleInfo,
    NewAnalystRole,
    create_analyst_role,
    drop_analyst_role,
    list_analyst_roles,
)


@click.group(
    cls=Group, help="Database roles that read the analytics schema (SQL access)."
)
def analysts() -> None:
    """Group of analyst-role commands."""


@analysts.command("create-role")
@click.argument("name")
@click.option(
    "--organization",
    "organization_ids",
    type=click.IntRange(1, 2**63 - 1),
    multiple=True,
    metavar="ID",
    help="Organization whose data the role sees in full; repeat for several.",
)
@click.option(
    "--public",
    "public_data",
    is_flag=True,
    help="The role sees every public installation (of any organization).",
)
@click.option(
    "--connection-limit",
    type=click.IntRange(1, 1000),
    metavar="N",
    default=DEFAULT_CONNECTION_LIMIT,
    show_default=True,
    help="Sessions the role may hold at once.",
)
@click.option(
    "--statement-timeout",
    "statement_timeout_s",
    type=click.IntRange(1, 7 * 24 * 3600),
    default=DEFAULT_STATEMENT_TIMEOUT_S,
    show_default=True,
    metavar="SECONDS",
    help="Cancel the role's statements after this long (a default its sessions "
    "may raise with SET statement_timeout).",
)
@password_file_option
def create_role(
    name: str,
    organization_ids: tuple[int, ...],
    public_data: bool,
    connection_limit: int,
    statement_timeout_s: int,
    password_file: Path | None,
) -> None:
    """Create the login role NAME with read access to the analytics views.

    The role may read the views of schema analytics and nothing else; the
    views show it the rows of the given organizations and, with --public, of
    public installations. Its days are in ANALYSIS_TIMEZONE. Its sessions are
    bounded in number and its statements in time (see the options); an idle
    open transaction ends after 10 minutes. The password is asked for twice
    unless --password-file is given; it must pass the rules of sign-up (8 to
    1024 characters, not only digits, not like NAME).
    """
    password = read_password(password_file)
    check_password(password, username=name)
    new = NewAnalystRole(
        name=name,
        password=password,
        organization_ids=organization_ids,
        public_data=public_data,
        timezone=current_app.config["ANALYSIS_TIMEZONE"],
        connection_limit=connection_limit,
        statement_timeout_s=statement_timeout_s,
    )
    try:
        with transaction() as session:
            role = create_analyst_role(session, SYSTEM, new)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    scope = _scope(role.organizations, role.public_data)
    click.echo(f"Created analyst role {role.name!r}: {scope}; {_limits(role)}.")
    if role.temp_file_limit is None:
        click.echo(_temp_files_warning(role.name), err=True)
    if role.other_databases:
        click.echo(_other_databases_warning(role.name, role.other_databases), err=True)


@analysts.command("list")
def list_roles() -> None:
    """List the analyst roles of this database and what they see."""
    with transaction() as session:
        roles = list_analyst_roles(session, SYSTEM)
    if not roles:
        click.echo("No analyst roles.")
    for role in roles:
        login = "" if role.can_login else "  [role missing or cannot log in]"
        scope = _scope(role.organizations, role.public_data)
        others = (
            f"  [can also connect to {_names(role.other_databases)}]"
            if role.other_databases
            else ""
        )
        click.echo(
            f"{role.name}: {scope}; days in {role.timezone}; {_limits(role)}"
            f"{login}{others}"
        )


@analysts.command("drop-role")
@click.argument("name")
@click.confirmation_option(prompt="Drop this analyst role and revoke its access?")
def drop_role(name: str) -> None:
    """Revoke the access of analyst role NAME and drop the login role."""
    if not ROLE_NAME.fullmatch(name):  # no such role: it was never created here
        raise click.ClickException(
            f"No analyst role named {name!r} in this database (their names are "
            "lower-case letters, digits and underscores; see flask analysts list)."
        )
    try:
        with transaction() as session:
            drop_analyst_role(session, SYSTEM, name)
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"Dropped analyst role {name!r}.")


def _scope(organizations: tuple[tuple[int, str], ...], public_data: bool) -> str:
    parts = [
        f"organization {org_id} ({org_name})" for org_id, org_name in organizations
    ]
    if public_data:
        parts.append("public installations")
    return ", ".join(parts) or "nothing"


def _limits(role: AnalystRoleInfo) -> str:
    sessions = (
        "any number of sessions"
        if role.connection_limit < 0
        else f"at most {role.connection_limit} session(s)"
    )
    timeout = (
        f"statements stop after {role.statement_timeout}"
        if role.statement_timeout
        else "no statement timeout"
    )
    temp = (
        f"temp files up to {role.temp_file_limit}"
        if role.temp_file_limit
        else "temp files unlimited"
    )
    return f"{sessions}, {timeout}, {temp}"


def _temp_files_warning(name: str) -> str:
    """Only a superuser may cap a role's temporary files; say what to run."""
    role = '"{}"'.format(name.replace('"', '""'))  # a quoted identifier
    return (
        f"Warning: the temporary files of {name!r} are unlimited: one query that "
        "sorts or hashes more than memory holds (a cross join) can fill the "
        "server's disk, and only a superuser may set the cap. As a superuser run: "
        f"ALTER ROLE {role} SET temp_file_limit = '{TEMP_FILE_LIMIT}';"
    )


SHOWN_DATABASES = 5


def _names(databases: tuple[str, ...]) -> str:
    """The first few names, and how many more (a test cluster has dozens)."""
    shown = ", ".join(databases[:SHOWN_DATABASES])
    more = len(databases) - SHOWN_DATABASES
    return f"{shown} and {more} more" if more > 0 else shown


def _other_databases_warning(name: str, databases: tuple[str, ...]) -> str:
    """Why the role reaches other databases, and what their owner can do about it.

    The application may only close its own database; the others grant CONNECT to
    PUBLIC until their owner (or a superuser) revokes it.
    """
    example = '"{}"'.format(databases[0].replace('"', '""'))  # a quoted identifier
    return (
        f"Warning: {name!r} can also connect to {len(databases)} other database(s) "
        f"of this PostgreSQL server, which grant CONNECT to PUBLIC: "
        f"{_names(databases)}. It sees none of this application's data there, only "
        "what those databases show PUBLIC. To close one, run as its owner or a "
        f"superuser: REVOKE CONNECT ON DATABASE {example} FROM PUBLIC; and GRANT "
        "CONNECT ON DATABASE to the roles that use it (scripts/db/create-database.sh "
        "does this for postgres and template1 on a local cluster)."
    )
