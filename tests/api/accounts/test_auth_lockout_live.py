"""Nobody can lock an owner out: failed log-ins count per account *and* client address.

Run against gunicorn as deployed (default limits: five failures per account from
one address), with connections bound to two loopback source addresses, so the
client address is the one the socket really came from.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.factories import DEFAULT_PASSWORD, make_user
from tests.support.accounts import AUTH, doc
from tests.support.database import migrated_database, seed_database
from tests.support.servers import Answer, WebServer, app_env, request

ATTACKER, OWNER = "127.0.0.1", "127.0.0.2"
DEFAULT_ACCOUNT_LIMIT = 5


@dataclass(frozen=True)
class Attacked:
    """The server, and a user whose password someone guessed wrong five times."""

    web: WebServer
    username: str
    failures: list[int]

    def login(
        self, source: str, password: str = DEFAULT_PASSWORD, **headers: str
    ) -> Answer:
        body = doc("LoginView", username=self.username, password=password)
        return request(
            self.web.port, "POST", f"{AUTH}/login/", body, headers, source=source
        )


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Attacked]:
    with migrated_database("co2_lockout") as url:
        username = seed_database(
            url,
            lambda session: (
                make_user(session, username=f"o{uuid.uuid4().hex[:8]}").username
            ),
        )
        log = Path(tmp_path_factory.mktemp("lockout")) / "gunicorn.log"
        web = WebServer(app_env(url), log)
        try:
            served = Attacked(web, username, [])
            for _ in range(DEFAULT_ACCOUNT_LIMIT):
                served.failures.append(served.login(ATTACKER, "guess").status)
            yield served
        finally:
            web.stop()


def test_owner_logs_in_from_another_address_after_an_attackers_failures(
    attacked: Attacked,
) -> None:
    resp = attacked.login(OWNER)

    assert attacked.failures == [400] * DEFAULT_ACCOUNT_LIMIT
    assert resp.status == 200
    assert resp.body["data"]["attributes"]["key"]


def test_guessing_from_the_attackers_address_stays_throttled(
    attacked: Attacked,
) -> None:
    resp = attacked.login(ATTACKER)

    assert resp.status == 429
    assert int(resp.headers["retry-after"]) > 0
    assert resp.body["errors"][0]["code"] == "throttled"


def test_a_forwarded_header_does_not_move_the_attacker_to_another_address(
    attacked: Attacked,
) -> None:
    resp = attacked.login(ATTACKER, **{"X-Forwarded-For": OWNER})

    assert resp.status == 429
    assert resp.body["errors"][0]["code"] == "throttled"
    assert "key" not in resp.body.get("data", {}).get("attributes", {})
