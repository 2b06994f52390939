"""Analyst roles: PostgreSQL login roles that read the ``analytics`` schema only.

A role gets ``CONNECT`` on this database, ``USAGE`` on the schema and ``SELECT``
on its views (also on views that later migrations add, through default
privileges), nothing else. Which rows it sees is decided by the views themselves
(``sql/timescale/definitions/analytics_installation_views.sql``) from the rows of
:class:`~app.models.AnalystRole` and :class:`~app.models.AnalystRoleOrganization`,
so no SELECT gets around it (``EXPLAIN ANALYZE`` still counts the rows each plan
step read before the filter: README, section Analysts).

Roles are cluster-wide, and PostgreSQL grants ``CONNECT`` on every database to
``PUBLIC`` unless its owner revokes it. This database does (migration 0013,
``sql/timescale/versions/0013_*``), so only its own roles connect to it. The other
databases are their owners' to close: :attr:`AnalystRoleInfo.other_databases`
names those a role can still connect to, and ``flask analysts`` says what to run.

Role names and passwords cannot be bound parameters in ``CREATE ROLE``; names
are checked against :data:`ROLE_NAME` and quoted as identifiers, and the password
is sent only as a SCRAM-SHA-256 verifier computed by libpq on this side, so the
plain password never reaches the server (or its statement log).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError
from app.models import AnalystRole, AnalystRoleOrganization, Organization
from app.services.access import Actor, require_staff

#: Lower-case PostgreSQL identifiers (max. 63 bytes); key words are refused apart.
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
SCHEMA = "analytics"

#: Sessions a role may hold at once (``CONNECTION LIMIT``, enforced by the server).
DEFAULT_CONNECTION_LIMIT = 3
#: Seconds after which a statement is cancelled: the role's default
#: ``statement_timeout``, which its sessions may change with ``SET``.
DEFAULT_STATEMENT_TIMEOUT_S = 900
#: Seconds a session may sit idle inside a transaction (an open transaction holds
#: back vacuum and blocks migrations); also a default the session may change.
IDLE_IN_TRANSACTION_TIMEOUT_S = 600
#: Temporary file space per session (sorts and hashes that spill to disk): a role
#: cannot change it, but only a superuser may set it.
TEMP_FILE_LIMIT = "10GB"


@dataclass(frozen=True)
class NewAnalystRole:
    """What ``create_analyst_role`` needs.

    Attributes:
        name: the login role's name.
        password: its password (sent as a SCRAM verifier only).
        organization_ids: organizations whose data the role sees in full.
        public_data: the role also sees every public installation.
        timezone: the time zone of the role's local days and hours (its
            sessions may override it with ``SET airq.analysis_timezone``).
        connection_limit: sessions the role may hold at once.
        statement_timeout_s: seconds after which its statements are cancelled
            (a default its sessions may raise with ``SET statement_timeout``).
    """

    name: str
    password: str
    organization_ids: tuple[int, ...] = ()
    public_data: bool = False
    timezone: str = "Europe/Berlin"
    connection_limit: int = DEFAULT_CONNECTION_LIMIT
    statement_timeout_s: int = DEFAULT_STATEMENT_TIMEOUT_S


@dataclass(frozen=True)
class AnalystRoleInfo:
    """An analyst role as ``flask analysts list`` shows it.

    ``other_databases``: the cluster's other databases it may connect to (they
    grant ``CONNECT`` to ``PUBLIC``); it sees no data of this application there.
    ``connection_limit`` is -1 when unlimited; ``statement_timeout`` and
    ``temp_file_limit`` are the role's settings (None: the server's, by default
    none).
    """

    name: str
    organizations: tuple[tuple[int, str], ...]
    public_data: bool
    timezone: str
    created_at: datetime
    can_login: bool
    other_databases: tuple[str, ...] = ()
    connection_limit: int = -1
    statement_timeout: str | None = None
    temp_file_limit: str | None = None


def _driver(session: Session) -> psycopg.Connection[Any]:
    driver = session.connection().connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise TypeError("analyst roles need a psycopg connection")
    return driver


def _run(driver: psycopg.Connection[Any], statement: sql.Composed) -> None:
    """Execute a role statement; a missing right is the deployment's problem.

    Raises:
        ForbiddenError: the application's database role may not do this (it
            needs CREATEROLE and must own the database and the analytics schema).
    """
    try:
        driver.execute(statement)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise ForbiddenError(
            f"The database refused: {exc.diag.message_primary}. The application's "
            "database role needs CREATEROLE and must own the database and schema "
            "analytics (it owns the schema when it ran the migrations)."
        ) from exc


def _database(session: Session) -> sql.Identifier:
    """This database's name, for the ``GRANT``/``REVOKE ... ON DATABASE`` statements."""
    return sql.Identifier(
        session.execute(text("SELECT current_database()")).scalar_one()
    )


def _role_exists(session: Session, name: str) -> bool:
    found = session.execute(
        text("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = :name"), {"name": name}
    ).first()
    return found is not None


def _reserved(session: Session, name: str) -> bool:
    """Whether PostgreSQL refuses ``name`` for a role or needs it quoted.

    ``CREATE ROLE`` refuses ``pg_*``, ``public`` and ``none``; key words such as
    ``current_user`` are accepted quoted but then mean something else unquoted
    (``ALTER ROLE current_user`` alters the caller).
    """
    if name.startswith("pg_") or name == "public":
        return True
    quoted = session.execute(
        text("SELECT pg_catalog.quote_ident(:name)"), {"name": name}
    ).scalar_one()
    return bool(quoted != name)


def _check(session: Session, new: NewAnalystRole) -> None:
    if not ROLE_NAME.fullmatch(new.name):
        raise ValidationError(
            f"Invalid role name {new.name!r}: use 1-63 lower-case letters, digits "
            "and underscores, not starting with a digit."
        )
    if _reserved(session, new.name):
        raise ValidationError(
            f"Invalid role name {new.name!r}: PostgreSQL reserves it (names starting "
            "with pg_, public, and SQL key words such as user or current_user). "
            "Choose another name."
        )
    if not new.password:
        raise ValidationError("The password must not be empty.")
    if new.connection_limit < 1:
        raise ValidationError("The connection limit must be at least 1.")
    if new.statement_timeout_s < 1:
        raise ValidationError("The statement timeout must be at least 1 second.")
    if not new.organization_ids and not new.public_data:
        raise ValidationError(
            "Give at least one organization (--organization ID) or --public."
        )
    if _role_exists(session, new.name):
        raise ConflictError(f"A database role named {new.name!r} exists already.")
    known = set(
        session.scalars(
            select(Organization.id).where(Organization.id.in_(new.organization_ids))
        )
    )
    missing = sorted(set(new.organization_ids) - known)
    if missing:
        raise ValidationError(
            f"No organization with id {', '.join(map(str, missing))}."
        )


def create_analyst_role(
    session: Session, actor: Actor, new: NewAnalystRole
) -> AnalystRoleInfo:
    """Create a login role that reads the ``analytics`` views of some organizations.

    Args:
        session: the database session; its role needs CREATEROLE and must own
            the database and the ``analytics`` schema (the application role does).
        actor: the caller (staff or SYSTEM).
        new: the role to create.

    Returns:
        The created role.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the caller is not staff.
        ValidationError: bad name, empty password, no scope, unknown organization.
        ConflictError: a database role of that name exists already.
        ForbiddenError: the session's database role lacks CREATEROLE or does
            not own the analytics schema.
    """
    require_staff(actor)
    _check(session, new)
    driver = _driver(session)
    verifier = driver.pgconn.encrypt_password(
        new.password.encode(), new.name.encode(), b"scram-sha-256"
    ).decode()
    role, schema = sql.Identifier(new.name), sql.Identifier(SCHEMA)
    for statement in (
        sql.SQL(
            "CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
            "NOBYPASSRLS CONNECTION LIMIT {} PASSWORD {}"
        ).format(role, sql.Literal(new.connection_limit), sql.Literal(verifier)),
        sql.SQL("ALTER ROLE {} SET statement_timeout = {}").format(
            role, sql.Literal(f"{new.statement_timeout_s}s")
        ),
        sql.SQL("ALTER ROLE {} SET idle_in_transaction_session_timeout = {}").format(
            role, sql.Literal(f"{IDLE_IN_TRANSACTION_TIMEOUT_S}s")
        ),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(_database(session), role),
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role),
        sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schema, role),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT ON TABLES TO {}"
        ).format(schema, role),
    ):
        _run(driver, statement)
    _limit_temp_files(driver, role)
    session.add(
        AnalystRole(
            role_name=new.name,
            public_data=new.public_data,
            timezone=new.timezone,
            organizations=[
                AnalystRoleOrganization(organization_id=org_id)
                for org_id in sorted(set(new.organization_ids))
            ],
        )
    )
    session.flush()
    return _info(session, new.name)


def _limit_temp_files(driver: psycopg.Connection[Any], role: sql.Identifier) -> None:
    """Cap the role's temporary files at :data:`TEMP_FILE_LIMIT` if allowed.

    Without the cap one query (a sorted cross join) fills the server's disk, but
    only a superuser may set it; otherwise ``temp_file_limit`` stays None in
    :class:`AnalystRoleInfo` and ``flask analysts`` says what to run.
    """
    try:
        with driver.transaction():
            driver.execute(
                sql.SQL("ALTER ROLE {} SET temp_file_limit = {}").format(
                    role, sql.Literal(TEMP_FILE_LIMIT)
                )
            )
    except psycopg.errors.InsufficientPrivilege:
        pass


def list_analyst_roles(session: Session, actor: Actor) -> list[AnalystRoleInfo]:
    """Return every analyst role of this database, by name.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the caller is not staff.
    """
    require_staff(actor)
    names = session.scalars(
        select(AnalystRole.role_name).order_by(AnalystRole.role_name)
    )
    return [_info(session, name) for name in names]


def drop_analyst_role(session: Session, actor: Actor, name: str) -> None:
    """Revoke everything of an analyst role here and drop the login role.

    The role's open sessions are terminated (its temporary tables go with them)
    and what it owns in this database (large objects) is dropped, so neither
    keeps the role alive.

    Raises:
        UnauthenticatedError: anonymous caller.
        ForbiddenError: the caller is not staff.
        NotFoundError: ``name`` is not an analyst role of this database (other
            roles, such as the application's own, are never dropped).
        ConflictError: the role still has privileges in another database.
        ForbiddenError: the session's database role may not revoke or drop.
    """
    require_staff(actor)
    row = session.get(AnalystRole, name)
    if row is None:
        raise NotFoundError(f"No analyst role named {name!r} in this database.")
    if _role_exists(session, name):
        driver = _driver(session)
        role, schema = sql.Identifier(name), sql.Identifier(SCHEMA)
        # Membership lets this role end the analyst's sessions and drop what it
        # owns here; DROP ROLE removes the membership again.
        _run(driver, sql.SQL("GRANT {} TO CURRENT_USER").format(role))
        _end_sessions(driver, name)
        for statement in (
            # Large objects (anyone may create them) and privileges in this
            # database: left behind, they would keep DROP ROLE from succeeding.
            sql.SQL("DROP OWNED BY {}").format(role),
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA {} REVOKE ALL ON TABLES FROM {}"
            ).format(schema, role),
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(
                schema, role
            ),
            sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(schema, role),
            sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(
                _database(session), role
            ),
        ):
            _run(driver, statement)
        try:
            with driver.transaction():
                driver.execute(sql.SQL("DROP ROLE {}").format(role))
        except psycopg.errors.DependentObjectsStillExist as exc:
            raise ConflictError(
                f"Role {name!r} still has privileges or objects elsewhere: "
                f"{exc.diag.message_detail or exc}. Remove them there first."
            ) from exc
    session.delete(row)
    session.flush()


#: How long ``drop-role`` waits for each of the role's sessions to end.
SESSION_END_TIMEOUT_MS = 5000


def _end_sessions(driver: psycopg.Connection[Any], name: str) -> None:
    """Terminate every session of role ``name`` and wait until they have ended.

    An open session keeps the role's temporary tables, which would keep DROP ROLE
    from succeeding: an analyst could not be removed while connected.
    """
    driver.execute(
        "SELECT pg_catalog.pg_terminate_backend(pid, %s) "
        "FROM pg_catalog.pg_stat_activity WHERE usename = %s AND pid <> pg_backend_pid()",
        (SESSION_END_TIMEOUT_MS, name),
    )


def _info(session: Session, name: str) -> AnalystRoleInfo:
    row = session.get_one(AnalystRole, name)
    orgs = session.execute(
        select(Organization.id, Organization.name)
        .join(
            AnalystRoleOrganization,
            AnalystRoleOrganization.organization_id == Organization.id,
        )
        .where(AnalystRoleOrganization.role_name == name)
        .order_by(Organization.id)
    ).all()
    login = session.execute(
        text(
            "SELECT rolcanlogin, rolconnlimit, rolconfig FROM pg_catalog.pg_roles "
            "WHERE rolname = :name"
        ),
        {"name": name},
    ).first()
    can_login = None if login is None else login[0]
    settings = dict(
        item.split("=", 1) for item in (login[2] if login and login[2] else [])
    )
    return AnalystRoleInfo(
        name=name,
        organizations=tuple((org_id, org_name) for org_id, org_name in orgs),
        public_data=row.public_data,
        timezone=row.timezone,
        created_at=row.created_at,
        can_login=bool(can_login),
        other_databases=() if can_login is None else _other_databases(session, name),
        connection_limit=-1 if login is None else login[1],
        statement_timeout=settings.get("statement_timeout"),
        temp_file_limit=settings.get("temp_file_limit"),
    )


def _other_databases(session: Session, name: str) -> tuple[str, ...]:
    """The databases besides this one that role ``name`` (which exists) may connect to."""
    found = session.scalars(
        text(
            "SELECT datname FROM pg_catalog.pg_database WHERE datallowconn "
            "AND datname <> current_database() "
            "AND has_database_privilege(:name, oid, 'CONNECT') ORDER BY datname"
        ),
        {"name": name},
    )
    return tuple(found)
