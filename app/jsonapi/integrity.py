"""Classification of database integrity errors into HTTP problems (no SQL leaks).

Services should check uniqueness and references themselves and raise domain
errors with pointers; this is the safety net for races and forgotten checks.

* unique and exclusion violations: 409 (a duplicate or an overlap);
* foreign-key violations: 409 when the request is a DELETE (the row is still
  referenced, e.g. an address used by a site), otherwise 400 (the request
  names a related row that does not exist). PostgreSQL's SQLSTATE is the same
  for both, and its message text depends on the server locale, so the HTTP
  method decides;
* check and not-null violations: 400 (a value outside its allowed range);
* any other integrity error: 409.

The constraint name (from our naming convention, e.g. ``uq_sites_organization_id``)
is kept for the log only: clients tell problems apart by the ``code``, and the
name would show them the schema. Key values, table contents, constraint names
and SQL never leave the server.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from psycopg import errors as pg


@dataclass(frozen=True)
class IntegrityProblem:
    """How to answer one integrity error.

    Attributes:
        status: the HTTP status.
        code: the machine-readable error code.
        title: the short summary.
        detail: a generic explanation safe to show to clients.
        constraint: the violated constraint's name, when the driver reports it.
    """

    status: int
    code: str
    title: str
    detail: str
    constraint: str | None = None


_CONFLICT = "Conflict"
_INVALID = "Invalid request"

# Order matters only for readability: the psycopg classes are disjoint.
_KINDS: tuple[tuple[type[pg.IntegrityError], IntegrityProblem], ...] = (
    (
        pg.UniqueViolation,
        IntegrityProblem(
            409, "unique", _CONFLICT, "A resource with these values already exists."
        ),
    ),
    (
        pg.ExclusionViolation,
        IntegrityProblem(
            409, "overlap", _CONFLICT, "This overlaps with an existing resource."
        ),
    ),
    (
        pg.ForeignKeyViolation,
        IntegrityProblem(
            400, "invalid_reference", _INVALID, "A related resource does not exist."
        ),
    ),
    (
        pg.CheckViolation,
        IntegrityProblem(
            400, "invalid", _INVALID, "A value is outside its allowed range."
        ),
    ),
    (
        pg.NotNullViolation,
        IntegrityProblem(400, "required", _INVALID, "A required value is missing."),
    ),
)
_REFERENCED = IntegrityProblem(
    409, "referenced", _CONFLICT, "The resource is still referenced by other resources."
)
_OTHER = IntegrityProblem(
    409, "conflict", _CONFLICT, "The request conflicts with stored data."
)


def classify_integrity_error(
    orig: BaseException | None, method: str
) -> IntegrityProblem:
    """Map the driver exception behind an ``IntegrityError`` to a problem.

    Args:
        orig: ``IntegrityError.orig``, normally a psycopg error.
        method: the HTTP method of the request (``DELETE`` changes the meaning
            of a foreign-key violation).

    Returns:
        The problem to render, with the constraint name when known.
    """
    if isinstance(orig, pg.ForeignKeyViolation) and method.upper() == "DELETE":
        problem = _REFERENCED
    else:
        problem = next((p for cls, p in _KINDS if isinstance(orig, cls)), _OTHER)
    return replace(problem, constraint=_constraint_name(orig))


def _constraint_name(orig: BaseException | None) -> str | None:
    diag = getattr(orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return name if isinstance(name, str) else None
