"""The import's refusal reads as English whatever the number of rows it names."""

from __future__ import annotations

import pytest

from app.services.importer.clashes import KEYS, Clash
from app.services.importer.provenance import Conflict, ImportConflictError
from app.services.importer.registry import Record


def _clash(pk: int) -> Clash:
    record = Record("auth.user", pk, {"username": f"tom{pk}"}, "managair")
    return Clash(record, KEYS[0], "users", 100 + pk, f"tom{pk}")


def _conflict(pk: int) -> Conflict:
    return Conflict(f"auth.user pk {pk}", f"users id {pk}", refers=False)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 username, e-mail address, organization name or EUI is taken"),
        (3, "3 usernames, e-mail addresses, organization names or EUIs are taken"),
    ],
)
def test_clashes_are_counted_in_singular_and_plural(count: int, expected: str) -> None:
    error = ImportConflictError((), [_clash(pk) for pk in range(count)])
    assert str(error).startswith(expected)


@pytest.mark.parametrize(
    ("count", "expected"), [(1, "1 conflict with rows"), (2, "2 conflicts with rows")]
)
def test_conflicts_are_counted_in_singular_and_plural(
    count: int, expected: str
) -> None:
    error = ImportConflictError([_conflict(pk) for pk in range(count)])
    assert str(error).startswith(expected)
