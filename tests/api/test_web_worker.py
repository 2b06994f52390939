"""The production web worker (gunicorn.conf.py: gevent) serves log-ins and ingest.

Everything else tests the app through Flask's test client; this module runs it the
way it is deployed, on a database of its own, and checks what monkey-patching could
break: password hashing on the hub's thread pool, database waits, and the fast
ingest path's own pool, with requests of both kinds in flight at once.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app import create_app
from app.db import transaction
from app.extensions import db
from app.services.accounts.tokens import issue_ingest_token
from tests.factories import DEFAULT_PASSWORD, make_node, make_user
from tests.support.accounts import AUTH, doc
from tests.support.database import migrated_database
from tests.support.servers import (
    Answer,
    WebServer,
    app_env,
    request,
    sample_document,
)

LOGIN = f"{AUTH}/login/"
INGEST = "/ingest/v1/ingest/"


@dataclass(frozen=True)
class Served:
    """The running worker, a user to log in as, a node and its ingest token."""

    web: WebServer
    username: str
    node_id: str
    ingest: str

    def login(self, password: str = DEFAULT_PASSWORD) -> Answer:
        body = doc("LoginView", username=self.username, password=password)
        return request(self.web.port, "POST", LOGIN, body)

    def ingest_sample(self, ts: int) -> Answer:
        body = sample_document(self.node_id, ts, 612)
        headers = {"Authorization": f"Token {self.ingest}"}
        return request(self.web.port, "POST", INGEST, body, headers)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with migrated_database("co2_worker") as url:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            with transaction() as session:
                user = make_user(session, username=f"worker{uuid.uuid4().hex[:8]}")
                node = make_node(session)
                ingest = issue_ingest_token(session, node.owner_id, name="worker").key
                username, node_id = user.username, str(node.id)
            db.session.remove()
            db.engine.dispose()
        log = Path(tmp_path_factory.mktemp("worker")) / "gunicorn.log"
        web = WebServer(app_env(url), log)
        try:
            assert "Using worker: gevent" in web.text()
            yield Served(web, username, node_id, ingest)
        finally:
            web.stop()


def test_log_in_under_the_gevent_worker(served: Served) -> None:
    right, wrong = served.login(), served.login("not the password")

    assert right.status == 200
    assert right.body["data"]["attributes"]["key"]
    assert wrong.status == 400
    assert "Traceback" not in served.web.text()  # a wrong password is no crash


def test_log_ins_and_samples_in_flight_together_all_succeed(served: Served) -> None:
    answers: dict[str, list[int]] = {"login": [], "ingest": []}
    errors: list[BaseException] = []
    start = int(time.time()) - 3600

    def log_in() -> None:
        answers["login"].append(served.login().status)

    def post_samples(first: int) -> None:
        for k in range(20):
            answers["ingest"].append(served.ingest_sample(first + 60 * k).status)

    def guarded(job: Any, *args: Any) -> None:
        try:
            job(*args)
        except BaseException as exc:  # reported by the assertions below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(log_in,)) for _ in range(3)]
    threads += [
        threading.Thread(target=guarded, args=(post_samples, start - 3600 * c))
        for c in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert answers["login"] == [200, 200, 200]
    assert answers["ingest"] == [201] * 60
    again = served.ingest_sample(start)
    assert again.status == 200  # the identical sample: stored once
