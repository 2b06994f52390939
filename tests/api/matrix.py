"""A table-driven authorization matrix: actors x resources x actions -> status codes.

A test module builds a :class:`World` (the actors' users plus named objects)
and a list of :class:`Row` s, one per resource, action and target, each with the
expected status per actor (spec §4.5 with the reference's defects fixed)::

    ROWS = [
        row("sites", "read", "private", get("/api/v1/sites/{private_site}/"),
            anonymous=404, outsider=404, inspector=200, owner=200, staff=404),
    ]

    @pytest.mark.parametrize("case", cases(ROWS), ids=str)
    def test_sites_matrix(client, session, case):
        check(client, session, build_world(session), case)

Paths and bodies are templates filled from ``World.ids`` (``{name}``), or
functions of the world. Every case runs in its own rolled-back transaction,
so writes and deletes do not leak into other cases. :func:`check` asserts the
status, that no answer is a 500, and that every 4xx is a JSON:API error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import User
from tests.support.auth import auth_headers

#: The callers every row states an expectation for.
ACTORS = ("anonymous", "outsider", "inspector", "owner", "staff")

JSONAPI = "application/vnd.api+json"


@dataclass(frozen=True)
class World:
    """The users acting (None for anonymous) and the ids of named objects."""

    actors: Mapping[str, User | None]
    ids: Mapping[str, Any]


@dataclass(frozen=True)
class Call:
    """One HTTP request; ``path`` and string values in ``body`` are templates."""

    method: str
    path: str
    body: Any = None

    def render(self, world: World) -> Call:
        """Fill the ``{name}`` placeholders from ``world.ids``."""
        return Call(self.method, self.path.format(**world.ids), _fill(self.body, world))


@dataclass(frozen=True)
class Row:
    """The expected status of one action on one target, per actor."""

    resource: str
    action: str
    target: str
    call: Call | Callable[[World], Call]
    expect: Mapping[str, int]

    def request(self, world: World) -> Call:
        """Return the concrete request in ``world``."""
        if isinstance(self.call, Call):
            return self.call.render(world)
        return self.call(world)


@dataclass(frozen=True)
class Case:
    """One cell of the matrix: a row and an actor."""

    row: Row
    actor: str

    @property
    def expected(self) -> int:
        """The status this actor must get."""
        return self.row.expect[self.actor]

    def __str__(self) -> str:
        r = self.row
        return f"{r.resource}-{r.action}-{r.target}-{self.actor}"


def row(
    resource: str,
    action: str,
    target: str,
    call: Call | Callable[[World], Call],
    **expect: int,
) -> Row:
    """Build a row; every actor of :data:`ACTORS` needs an expected status.

    Raises:
        ValueError: an actor is missing or unknown.
    """
    if set(expect) != set(ACTORS):
        raise ValueError(f"{resource} {action}: expect exactly {ACTORS}")
    return Row(resource, action, target, call, expect)


def get(path: str) -> Call:
    """A GET of ``path``."""
    return Call("GET", path)


def post(path: str, body: Any) -> Call:
    """A POST of ``body`` to ``path``."""
    return Call("POST", path, body)


def patch(path: str, body: Any) -> Call:
    """A PATCH of ``body`` to ``path``."""
    return Call("PATCH", path, body)


def delete(path: str, body: Any = None) -> Call:
    """A DELETE of ``path`` (relationship DELETEs carry a body)."""
    return Call("DELETE", path, body)


def cases(rows: Iterable[Row]) -> list[Case]:
    """Expand rows into one case per actor."""
    return [Case(r, actor) for r in rows for actor in ACTORS]


def check(client: FlaskClient, session: Session, world: World, case: Case) -> None:
    """Send the case's request as its actor and assert the answer."""
    call = case.row.request(world)
    resp = client.open(
        call.path,
        method=call.method,
        data=None if call.body is None else json.dumps(call.body),
        content_type=None if call.body is None else JSONAPI,
        headers=auth_headers(session, world.actors[case.actor]),
    )

    assert resp.status_code != 500, f"{case}: 500 {resp.get_data(as_text=True)}"
    assert resp.status_code == case.expected, (
        f"{case}: {call.method} {call.path} -> {resp.status_code}, "
        f"expected {case.expected}: {resp.get_data(as_text=True)[:300]}"
    )
    if resp.status_code >= 400:
        assert resp.mimetype == JSONAPI
        assert resp.json is not None
        assert resp.json["errors"][0]["status"] == str(resp.status_code)


def _fill(value: Any, world: World) -> Any:
    if isinstance(value, str):
        return value.format(**world.ids)
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value
