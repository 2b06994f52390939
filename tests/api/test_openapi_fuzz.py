"""Schema-driven fuzzing: schemathesis drives every API operation of the OpenAPI document.

As an organization's OWNER (``Token``; ingest with the organization's ingest
token), its INSPECTOR (``Bearer``) and anonymously,
over a seeded world (organization, site, room, node, public installation,
samples). Each operation gets valid and invalid requests, with path parameters
drawn at random and taken from the seeded objects; every example runs in a
savepoint that is rolled back, so each one sees the same world. A 5xx, a response
the document does not describe (status, content type, headers, body) or one
slower than :data:`SLOW_S` fails the test, and so does a request valid by the
document that is refused (400), or one invalid by it that is accepted; every
failing operation is listed. A stateful phase then chains calls along the
links between operations.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
)
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from flask import Flask

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from app.blueprints.filters import REVERSED_BOUNDS
from app.extensions import db
from app.security.bearer import issue_pair
from app.services.accounts import logins
from app.services.accounts.tokens import issue_ingest_token, issue_user_key
from tests.factories import T0, make_fidelity, make_samples
from tests.support.smtp import Mailbox
from tests.support.worlds import installed_room, tenants

pytestmark = pytest.mark.slow

#: Examples per operation and actor (valid and invalid together). The outside
#: test ran 25; 10 keeps the three actors within about three minutes on CI's
#: two cores and finds what 25 found (see the README).
EXAMPLES = 10
#: Stateful phase: scenarios per actor, and calls per scenario, following the
#: links schemathesis infers between operations (a created object's
#: ``Location``, ids in answers) from the seeded world.
SCENARIOS = 25
STEPS = 8
#: A generous bound: nothing in the seeded world should take this long.
SLOW_S = 5.0
#: Answers to well-formed requests that depend on stored data or on another
#: member, not on the request's shape, so no document can rule them out: a
#: related object that does not exist (400 at the relationship, as in the
#: reference), an inverted time range, credentials, links and keys that match
#: nothing stored, a password unlike its copy or like the username, and an
#: e-mail address other than the account's (it changes only by a confirmed mail).
DATA_DEPENDENT = (
    "does not exist",
    REVERSED_BOUNDS,
    "Unable to log in with provided credentials.",
    "Your old password was entered incorrectly.",
    "The password reset link was invalid",
    "This e-mail confirmation link expired or is invalid.",
    "The two password fields didn't match.",
    "The password is too similar to the",
    "The e-mail address cannot be changed here",
)
#: Operations whose bodies the document cannot describe in full: a photo must
#: be a readable image; the ingest bodies are CSV, NDJSON and network servers'
#: webhooks. They get every check but the two on data acceptance.
SHAPE_UNCHECKED = ("/ingest/", "/api/v1/installations/{pk}/image/")


def _data_dependent(response: Any) -> bool:
    """Whether every error of a 400 names a data-dependent cause."""
    if response.status_code != 400:
        return False
    errors = response.json().get("errors", [])
    return bool(errors) and all(
        any(text in e.get("detail", "") for text in DATA_DEPENDENT) for e in errors
    )


def accepts_valid_data(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis' positive-data check, minus :data:`DATA_DEPENDENT` answers."""
    if _data_dependent(response):
        return None
    return positive_data_acceptance(ctx, response, case)  # type: ignore[no-any-return]


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: The document and the validation agree: what it allows is accepted, what it
#: forbids is refused.
SHAPE_CHECKS = [accepts_valid_data, negative_data_rejection]


@dataclass(frozen=True)
class World:
    """Ids of the seeded objects and the headers of each actor."""

    ids: dict[str, Any]
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def api_schema(app: Flask) -> Any:
    """The app's own OpenAPI document, loaded by schemathesis through WSGI.

    No NUL in generated strings: the document's description refuses it in every
    string (``TEXT_RULE``), which no field's schema can say (test_hostile_json
    holds the server to that rule).
    """
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/openapi.json", app)
    schema.config.generation.update(allow_x00=False)
    return schema


@pytest.fixture
def world(
    app: Flask,
    session: Session,
    mailbox: Mailbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> World:
    """Seed one organization's inventory; commit it into the test's transaction."""
    monkeypatch.setitem(app.config, "MEDIA_ROOT", str(tmp_path))
    people = tenants(session)
    owner, inspector, org = people.owner, people.inspector, people.org
    seeded = installed_room(session, org)
    node, installation = seeded.node, seeded.installation
    make_samples(session, node, start=T0, count=24, step=timedelta(minutes=10))
    make_fidelity(session, node)
    key = issue_user_key(session, owner, name="fuzz").key
    ingest = issue_ingest_token(session, org.id, name="fuzz").key
    login = logins.start(session, inspector, app.config["SECRET_KEY"])
    session.commit()
    with app.test_request_context():
        access = issue_pair(inspector, login.id).access
    ids = {
        "users": owner.id,
        "organizations": org.id,
        "memberships": people.owner_membership.id,
        "quantities": None,
        "protocols": node.protocol_id,
        "models": node.model_id,
        "nodes": str(node.id),
        "fidelity": str(node.id),
        "node-timeseries": str(node.id),
        "installation-timeseries": installation.id,
        "addresses": seeded.room.site.address_id,
        "sites": seeded.room.site_id,
        "rooms": seeded.room.id,
        "installations": installation.id,
        "year_month": "2024-01",
    }
    headers = {
        "owner": {"Authorization": f"Token {key}"},
        "owner-ingest": {"Authorization": f"Token {ingest}"},
        "inspector": {"Authorization": f"Bearer {access}"},
        "anonymous": {},
    }
    return World(ids, headers)


def _seeded_path(operation: Any, ids: dict[str, Any]) -> dict[str, Any] | None:
    """Path parameters naming seeded objects, or None when there are none to name."""
    names = [p.name for p in operation.path_parameters]
    if not names:
        return None
    collection = operation.path.split("/")[3]
    values = {}
    for name in names:
        value = ids.get("year_month" if name == "year_month" else collection)
        if value is None:
            return None
        values[name] = value
    return values


def _strategy(operation: Any, ids: dict[str, Any]) -> Any:
    strategies = [
        operation.as_strategy(),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    seeded = _seeded_path(operation, ids)
    if seeded is not None:
        strategies.append(operation.as_strategy(path_parameters=seeded))
    return st.one_of(strategies)


def _credentials(case: Any, world: World, actor: str) -> dict[str, str]:
    """The headers of ``actor`` for ``case``, whose own credentials are dropped."""
    for name in ("Authorization", "authorization"):
        (case.headers or {}).pop(name, None)
    case.cookies = {}
    if actor == "owner" and case.operation.path.startswith("/ingest/"):
        actor = "owner-ingest"  # ingest takes the organization's ingest token
    return world.headers[actor]


def _validate(case: Any, response: Any, **kwargs: Any) -> None:
    """Run every check that applies to ``case`` on ``response``."""
    path = case.operation.path
    shaped = not any(path.startswith(p) for p in SHAPE_UNCHECKED)
    checks = CHECKS + (SHAPE_CHECKS if shaped else [])
    case.validate_response(response, checks=checks, **kwargs)
    assert response.elapsed < SLOW_S, (
        f"{case.operation.label} took {response.elapsed:.1f} s"
    )


@contextmanager
def _rolled_back() -> Iterator[None]:
    """Run requests in a savepoint of the test's transaction, then roll it back."""
    db.session.remove()
    connection = cast(Connection, db.engines[None])  # the test's, see conftest
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        db.session.remove()
        savepoint.rollback()


def _check(case: Any, world: World, actor: str) -> int:
    """Send ``case`` as ``actor`` in a rolled-back savepoint; check the answer.

    Returns:
        The response status.
    """
    headers = _credentials(case, world, actor)
    with _rolled_back():
        response = case.call(headers=headers)
        _validate(case, response)
        return int(response.status_code)


def _fuzz(operation: Any, world: World, actor: str) -> None:
    """Run :data:`EXAMPLES` requests; raise on the first response that fails a check."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, world.ids))
    def run(case: Any) -> None:
        _check(case, world, actor)

    run()


def _operations(api_schema: Any) -> Iterator[Any]:
    """Every operation; reads first, deletes last (they empty the seeded world)."""
    order = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 2, "DELETE": 3}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    yield from sorted(operations, key=lambda op: order.get(op.method.upper(), 1))


@pytest.mark.parametrize("actor", ["owner", "inspector", "anonymous"])
def test_api_fuzzed_by_schema_conforms(
    api_schema: Any, world: World, actor: str
) -> None:
    failures, unread = [], []
    for operation in _operations(api_schema):
        try:
            seeded = _seeded_path(operation, world.ids)
            if operation.method.upper() == "GET" and (
                seeded is not None or not operation.path_parameters
            ):
                status = _check(operation.Case(path_parameters=seeded), world, actor)
                if status >= 300:
                    unread.append(f"{operation.label}: {status}")
            _fuzz(operation, world, actor)
        except (Exception, BaseExceptionGroup) as exc:  # collect every failure
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(
        failures
    )
    if actor != "anonymous":  # members read every seeded object
        assert not unread, unread


@pytest.mark.parametrize("actor", ["owner", "anonymous"])
def test_api_followed_by_links_conforms(
    api_schema: Any, world: World, actor: str
) -> None:
    """Chains of calls (create, then read, change, delete what was created).

    Each step gets every check of the per-operation run, plus schemathesis'
    stateful ones: a deleted object is gone, a created one can be read. Each
    scenario runs in a savepoint that is rolled back.
    """

    class Links(api_schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            self.scope = _rolled_back()
            self.scope.__enter__()

        def teardown(self) -> None:
            self.scope.__exit__(None, None, None)

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": _credentials(case, world, actor)}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            _validate(
                case,
                response,
                additional_checks=[use_after_free, ensure_resource_availability],
                recorder=getattr(self, "recorder", None),
            )

    Links.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
