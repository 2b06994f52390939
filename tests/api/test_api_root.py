"""/api/v1/: the root document, and the OpenAPI document listing the tenancy paths."""

from __future__ import annotations

from flask.testing import FlaskClient

from app.blueprints.root.routes import COLLECTIONS


def test_root_lists_every_collection_with_absolute_urls(client: FlaskClient) -> None:
    resp = client.get("/api/v1/", headers={"Host": "airq.example"})

    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.api+json"
    assert resp.json is not None
    assert list(resp.json["data"]) == list(COLLECTIONS)
    assert resp.json["data"]["users"] == "http://airq.example/api/v1/users/"


def test_root_without_trailing_slash_is_served(client: FlaskClient) -> None:
    resp = client.get("/api/v1")

    assert resp.status_code == 200


def test_openapi_document_lists_the_tenancy_paths(client: FlaskClient) -> None:
    resp = client.get("/api/v1/schema/openapi.json")

    assert resp.status_code == 200
    assert resp.json is not None
    paths = resp.json["paths"]
    assert "/api/v1/organizations/{pk}/relationships/users/" in paths
    assert "filter[search]" in {
        p["name"] for p in paths["/api/v1/users/"]["get"]["parameters"]
    }
    body = paths["/api/v1/memberships/"]["post"]["requestBody"]["content"]
    assert "application/vnd.api+json" in body
