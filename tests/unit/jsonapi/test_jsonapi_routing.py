"""Trailing slashes are optional and never redirect."""

from __future__ import annotations

import pytest

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Map, Rule

from app.jsonapi import make_slashes_optional

BODY = {"data": {"type": "Thing", "attributes": {"name": "n"}}}


@pytest.mark.parametrize("path", ["/api/v1/things/", "/api/v1/things"])
def test_slashes_get_both_forms_served(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert "Location" not in response.headers


@pytest.mark.parametrize("path", ["/api/v1/things/", "/api/v1/things"])
def test_slashes_post_both_forms_served(client: FlaskClient, path: str) -> None:
    response = client.post(path, json=BODY)

    assert response.status_code == 201


def test_slashes_delete_without_slash_served(client: FlaskClient) -> None:
    response = client.delete("/api/v1/things/1")

    assert response.status_code == 204


def test_make_slashes_optional_after_rules_switches_them_too() -> None:
    app = Flask(__name__)
    app.add_url_rule("/rooms/", "rooms", lambda: "ok", methods=["GET", "POST"])

    make_slashes_optional(app)

    response = app.test_client().post("/rooms")
    assert response.status_code == 200


def test_werkzeug_map_without_strict_slashes_matches_without_redirect() -> None:
    urls = Map([Rule("/sites/", endpoint="sites")], strict_slashes=False)
    adapter = urls.bind("api.example.org")

    matches = [adapter.match("/sites", method=m) for m in ("GET", "POST")]

    assert matches == [("sites", {}), ("sites", {})]
