"""The OpenAPI document describes every API route; its pages load without a CDN."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from flask import Flask
from flask.testing import FlaskClient

from app.jsonapi.attributes import not_blank
from tests.support.refusals import assert_refused

VENDOR_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "vendor_api_docs.py"
_ASSET = re.compile(r'(?:src|href)="([^"]+)"')
_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module", autouse=True)
def _vendored_assets() -> None:
    """Fetch Swagger UI and ReDoc if ``make setup`` has not (as it compiles catalogues)."""
    subprocess.run([sys.executable, str(VENDOR_SCRIPT)], check=True, timeout=300)


@pytest.fixture(scope="module")
def spec(app: Flask) -> dict[str, Any]:
    document = app.test_client().get("/api/v1/schema/openapi.json").json
    assert isinstance(document, dict)
    return document


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method.upper() in _METHODS
    ]


def _api_routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1/", "/ingest/")) or rule.rule.startswith(
            "/api/v1/schema"
        ):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        routes |= {(path, m.lower()) for m in (rule.methods or set()) & _METHODS}
    return routes


def test_openapi_every_api_route_is_documented(
    app: Flask, spec: dict[str, Any]
) -> None:
    documented = {(path, method) for path, method, _ in _operations(spec)}

    missing = _api_routes(app) - documented

    assert not missing, sorted(missing)


def test_openapi_every_operation_documents_a_success(spec: dict[str, Any]) -> None:
    without = [
        f"{method.upper()} {path}"
        for path, method, operation in _operations(spec)
        if not any(str(status).startswith("2") for status in operation["responses"])
    ]

    assert not without


def test_openapi_every_operation_documents_jsonapi_errors(spec: dict[str, Any]) -> None:
    wanted = {"400", "401", "403", "503", "default"}

    lacking = [
        f"{method.upper()} {path}"
        for path, method, operation in _operations(spec)
        if not wanted <= {str(s) for s in operation["responses"]}
        or "422" in operation["responses"]
    ]

    assert not lacking


def test_openapi_unavailable_response_names_retry_after(spec: dict[str, Any]) -> None:
    response = spec["components"]["responses"]["SERVICE_UNAVAILABLE"]

    assert "Retry-After" in response["headers"]
    schema = response["content"]["application/vnd.api+json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorDocument"}


def test_openapi_security_schemes_token_bearer_session(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]

    assert set(schemes) == {"Token", "Bearer", "Session"}
    assert schemes["Bearer"]["scheme"] == "bearer"
    assert all(op["security"][0] == {} for _, _, op in _operations(spec))


def test_openapi_list_views_document_paging(spec: dict[str, Any]) -> None:
    names = {p["name"] for p in spec["paths"]["/api/v1/nodes/"]["get"]["parameters"]}

    assert {"page[number]", "page[size]", "filter[organization]"} <= names


def test_schema_root_answers_yaml_like_managair(
    client: FlaskClient, spec: dict[str, Any]
) -> None:
    response = client.get("/api/v1/schema/")

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.oai.openapi"
    assert yaml.safe_load(response.data) == spec


def test_schema_root_answers_json_on_request(
    client: FlaskClient, spec: dict[str, Any]
) -> None:
    response = client.get("/api/v1/schema/?format=json")

    assert response.mimetype == "application/vnd.oai.openapi+json"
    assert response.json == spec


@pytest.mark.parametrize("page", ["swagger-ui", "redoc"])
def test_docs_page_loads_its_assets_from_this_server(
    client: FlaskClient, page: str
) -> None:
    response = client.get(f"/api/v1/schema/{page}/")
    assets = _ASSET.findall(response.get_data(as_text=True))

    assert response.status_code == 200
    assert "script-src 'self';" in response.headers["Content-Security-Policy"]
    assert assets
    for url in assets:
        assert url.startswith("/"), f"{url} is not served by this app"
        asset = client.get(url)
        status, size = asset.status_code, len(asset.data)
        asset.close()
        assert status == 200, url
        assert size > 0, url


def test_docs_page_has_no_inline_script(client: FlaskClient) -> None:
    html = client.get("/api/v1/schema/swagger-ui/").get_data(as_text=True)

    assert re.search(r"<script>(?!\s*</script>)", html) is None


def test_openapi_integer_ids_stop_at_bigint_and_larger_ones_name_nothing(
    spec: dict[str, Any], client: FlaskClient
) -> None:
    (pk,) = spec["paths"]["/api/v1/sites/{pk}/"]["parameters"]
    assert pk["schema"]["maximum"] == 2**63 - 1

    assert_refused(client, "GET", f"/api/v1/sites/{2**63}/", 404, unchanged=())


def test_openapi_request_bodies_require_what_the_views_require(
    spec: dict[str, Any],
) -> None:
    body = spec["paths"]["/api/v1/sites/"]["post"]["requestBody"]
    data = body["content"]["application/vnd.api+json"]["schema"]["properties"]["data"]
    relationships = data["properties"]["relationships"]
    names = spec["components"]["schemas"]["SitePostAttributes"]["properties"]["name"]

    assert {"type", "attributes", "relationships"} <= set(data["required"])
    assert set(relationships["required"]) == {"address", "operator"}
    assert names["pattern"] == not_blank.regex.pattern  # the server's own rule
    assert not re.search(names["pattern"], " \t\x1c")  # white space alone is blank
    operator = relationships["properties"]["operator"]["properties"]["data"]
    assert operator["required"] == ["type", "id"]
