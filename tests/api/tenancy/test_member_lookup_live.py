"""como-ui's way of adding a member, against gunicorn as deployed.

como-ui finds the person by exact e-mail address (``GET /api/v1/users/?filter[search]=``)
and then posts the membership with the id it got, in another request. The find
must outlast its request (in-process tests share one session across requests,
so only a real server shows that the search commits what it remembers).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sqlalchemy.orm import Session

from app.models import Role
from app.services.accounts.tokens import issue_user_key
from tests.factories import make_membership, make_organization, make_user
from tests.support.database import migrated_database, seed_database
from tests.support.servers import Answer, WebServer, app_env, request

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Seeded:
    """Plain values of the committed world: the OWNER's key and the ids."""

    key: str
    org_id: int
    stranger_id: int


@dataclass(frozen=True)
class Served:
    """The server and its world."""

    web: WebServer
    world: Seeded

    def call(self, method: str, path: str, body: Any = None) -> Answer:
        """Send a request as the OWNER."""
        headers = {"Authorization": f"Token {self.world.key}"}
        return request(self.web.port, method, path, body, headers)

    def add_stranger(self) -> Answer:
        """como-ui's membership POST: the id, no attributes."""
        return self.call(
            "POST",
            "/api/v1/memberships/",
            {
                "data": {
                    "type": "Membership",
                    "attributes": {},
                    "relationships": {
                        "organization": {
                            "data": {
                                "type": "Organization",
                                "id": str(self.world.org_id),
                            }
                        },
                        "user": {
                            "data": {"type": "User", "id": str(self.world.stranger_id)}
                        },
                    },
                }
            },
        )


def _seed(session: Session) -> Seeded:
    owner = make_user(session)
    org = make_organization(session)
    make_membership(session, owner, org, Role.OWNER)
    stranger = make_user(session, email="newcomer@example.org")
    key = issue_user_key(session, owner, name="live").key
    return Seeded(key, org.id, stranger.id)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with migrated_database("co2_member_lookup") as url:
        world = seed_database(url, _seed)
        log = Path(tmp_path_factory.mktemp("member_lookup")) / "gunicorn.log"
        web = WebServer(app_env(url), log)
        try:
            yield Served(web, world)
        finally:
            web.stop()


def test_search_by_exact_email_then_post_adds_the_member(served: Served) -> None:
    before = served.add_stranger()
    found = served.call("GET", "/api/v1/users/?filter[search]=newcomer%40example.org")
    added = served.add_stranger()
    detail = served.call("GET", f"/api/v1/users/{served.world.stranger_id}/")

    assert before.status == 400
    assert before.body["errors"][0]["source"] == {"pointer": "/data/relationships/user"}
    assert found.status == 200
    assert [u["id"] for u in found.body["data"]] == [str(served.world.stranger_id)]
    assert added.status == 201, added.body
    assert added.body["data"]["attributes"]["role"] == "I"
    assert detail.status == 200
