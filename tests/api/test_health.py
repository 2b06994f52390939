"""Liveness and readiness probes."""

from __future__ import annotations

from collections.abc import Iterator

import flask_migrate
import pytest

from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db
from tests.support.pgcluster import TempCluster


def test_healthz_answers_ok_without_touching_the_database(client: FlaskClient) -> None:
    resp = client.get("/healthz")

    assert resp.status_code == 200
    assert resp.json == {"status": "ok"}


def test_readyz_reports_database_edition_and_schema(client: FlaskClient) -> None:
    resp = client.get("/readyz")

    assert resp.status_code == 200
    body = resp.json
    assert body is not None
    assert body["database"] == "ok"
    assert body["timescaledb"]["edition"] == "apache"
    assert body["timescaledb"]["version"]
    assert body["schema"]["at_head"] is True


def test_readyz_with_trailing_slash_is_served_too(client: FlaskClient) -> None:
    assert client.get("/readyz/").status_code == 200


@pytest.fixture
def own_cluster() -> Iterator[TempCluster]:
    """A private database server this test may stop and start."""
    cluster = TempCluster()
    with cluster:
        yield cluster


@pytest.fixture
def app_on_own_cluster(own_cluster: TempCluster) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": own_cluster.url,
            "DB_CONNECT_TIMEOUT_S": 2,
        }
    )
    with app.app_context():
        flask_migrate.upgrade()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.slow
def test_readyz_503_while_database_is_down_and_recovers(
    own_cluster: TempCluster, app_on_own_cluster: Flask
) -> None:
    client = app_on_own_cluster.test_client()
    assert client.get("/readyz").status_code == 200

    own_cluster.stop()
    down = client.get("/readyz")
    own_cluster.start()
    back = client.get("/readyz")

    assert down.status_code == 503
    assert down.headers["Retry-After"] == "5"
    assert down.json is not None
    assert down.json["database"] == "unreachable"
    assert back.status_code == 200
    assert back.json is not None
    assert back.json["database"] == "ok"


def test_readyz_503_before_migrations(own_cluster: TempCluster) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": own_cluster.url})
    with app.app_context():
        db.session.execute(db.text("CREATE EXTENSION IF NOT EXISTS timescaledb"))
        db.session.commit()

    resp = app.test_client().get("/readyz")

    assert resp.status_code == 503
    assert resp.json is not None
    assert "flask db upgrade" in resp.json["reason"]
    with app.app_context():
        db.engine.dispose()


def test_readyz_503_without_timescaledb(own_cluster: TempCluster) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": own_cluster.url})

    resp = app.test_client().get("/readyz")

    assert resp.status_code == 503
    assert resp.json is not None
    assert resp.json["timescaledb"] == "missing"
    assert "make db" in resp.json["reason"]
    with app.app_context():
        db.engine.dispose()
