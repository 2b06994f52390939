"""Errors: every 4xx/5xx as a JSON:API error document, nothing leaked."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any

import pytest

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from psycopg import errors as pg

from app.jsonapi import (
    JSONAPI_MEDIA_TYPE,
    classify_integrity_error,
    error_object,
    flatten_messages,
    register_error_handlers,
)
from tests.support.refusals import assert_refused
from tests.unit.jsonapi.conftest import (
    FAILURES,
    MAX_BODY,
    SECRET,
    Rollbacks,
    create_test_app,
)

FAIL = "/api/v1/things/fail/{}/"


def errors_of(response: TestResponse) -> list[dict[str, Any]]:
    """Return the error objects of a JSON:API error response."""
    assert response.mimetype == JSONAPI_MEDIA_TYPE
    assert response.json is not None
    errors: list[dict[str, Any]] = response.json["errors"]
    return errors


class NamedUniqueViolation(pg.UniqueViolation):
    """A unique violation whose diagnostics name the constraint, as the server's do."""

    @property
    def diag(self) -> Any:
        """Diagnostics with a constraint name only."""
        return SimpleNamespace(constraint_name="uq_sites_organization_id_name")


def test_error_object_without_source_omits_member() -> None:
    obj = error_object(404, "not_found", "Not found", "Nicht gefunden.")

    assert obj == {
        "status": "404",
        "code": "not_found",
        "title": "Not found",
        "detail": "Nicht gefunden.",
    }


def test_flatten_messages_nested_paths_and_schema_errors() -> None:
    messages = {"json": {"data": {"_schema": ["Bad."], "items": {0: {"id": ["X."]}}}}}

    assert list(flatten_messages(messages)) == [
        (("json", "data"), "Bad."),
        (("json", "data", "items", "0", "id"), "X."),
    ]


def test_webargs_body_validation_is_400_with_pointer(client: FlaskClient) -> None:
    body = {"data": {"type": "Thing", "attributes": {}}}

    response = client.post("/api/v1/things/", json=body)

    assert response.status_code == 400
    assert errors_of(response) == [
        {
            "status": "400",
            "code": "invalid",
            "title": "Invalid request",
            "detail": "Missing data for required field.",
            "source": {"pointer": "/data/attributes/name"},
        }
    ]


def test_webargs_query_validation_is_400_with_parameter(client: FlaskClient) -> None:
    response = client.get("/api/v1/things/?filter[since]=yesterday")

    assert response.status_code == 400
    assert errors_of(response)[0]["source"] == {"parameter": "filter[since]"}


def test_webargs_invalid_json_is_400_without_source(client: FlaskClient) -> None:
    response = client.post("/api/v1/things/", data="{", content_type=JSONAPI_MEDIA_TYPE)

    assert response.status_code == 400
    assert errors_of(response)[0]["detail"] == "Invalid JSON body."
    assert "source" not in errors_of(response)[0]


def test_domain_401_has_token_challenge(client: FlaskClient) -> None:
    response = assert_refused(
        client, "GET", FAIL.format("unauthenticated"), 401, unchanged=()
    )
    assert response.headers["WWW-Authenticate"] == "Token"
    assert errors_of(response)[0]["code"] == "not_authenticated"


def test_domain_403_is_permission_denied(client: FlaskClient) -> None:
    response = assert_refused(
        client, "GET", FAIL.format("forbidden"), 403, unchanged=()
    )
    assert errors_of(response)[0]["code"] == "permission_denied"


def test_domain_404_has_no_source(client: FlaskClient) -> None:
    response = client.get("/api/v1/things/2/")

    assert response.status_code == 404
    assert errors_of(response) == [
        {
            "status": "404",
            "code": "not_found",
            "title": "Not found",
            "detail": "Nicht gefunden.",
        }
    ]


def test_domain_409_keeps_pointer(client: FlaskClient) -> None:
    response = client.get(FAIL.format("conflict"))

    assert response.status_code == 409
    assert errors_of(response)[0]["source"] == {"pointer": "/data/attributes/name"}


def test_domain_error_with_several_details_renders_one_object_each(
    client: FlaskClient,
) -> None:
    response = client.get(FAIL.format("multi"))

    assert response.status_code == 400
    assert [(e["code"], e["detail"], e["source"]) for e in errors_of(response)] == [
        ("invalid", "Name fehlt.", {"pointer": "/data/attributes/name"}),
        ("max", "Zu groß.", {"pointer": "/data/attributes/size"}),
    ]


def test_parse_resource_type_mismatch_through_view_is_409(client: FlaskClient) -> None:
    response = client.patch(
        "/api/v1/things/1/", json={"data": {"type": "Room", "id": "1"}}
    )

    assert response.status_code == 409
    assert errors_of(response)[0]["source"] == {"pointer": "/data/type"}


def test_unknown_url_is_404_jsonapi(client: FlaskClient) -> None:
    response = assert_refused(client, "GET", "/api/v1/nothing-here/", 404, unchanged=())
    assert errors_of(response)[0]["code"] == "not_found"


def test_method_not_allowed_is_405_with_allow_header(client: FlaskClient) -> None:
    response = assert_refused(client, "PUT", "/api/v1/things/1/", 405, unchanged=())
    assert set(response.headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "PATCH",
        "DELETE",
    }
    assert errors_of(response)[0]["code"] == "method_not_allowed"


def test_body_too_large_is_413_jsonapi(client: FlaskClient) -> None:
    response = assert_refused(
        client,
        "POST",
        "/api/v1/things/",
        413,
        data="x" * (MAX_BODY + 1),
        content_type=JSONAPI_MEDIA_TYPE,
        unchanged=(),
    )
    assert errors_of(response)[0]["status"] == "413"


def test_smorest_abort_message_becomes_detail(client: FlaskClient) -> None:
    response = client.get(FAIL.format("abort"))

    assert response.status_code == 409
    assert errors_of(response)[0]["detail"] == "Schon vergeben."


def test_unique_violation_is_409_and_session_rolled_back(
    client: FlaskClient, rollbacks: Rollbacks
) -> None:
    response = assert_refused(client, "POST", FAIL.format("unique"), 409, unchanged=())
    assert errors_of(response)[0]["code"] == "unique"
    assert rollbacks.count == 1


@pytest.mark.parametrize(
    ("kind", "method", "status", "code"),
    [
        ("exclusion", "POST", 409, "overlap"),
        ("foreign_key", "DELETE", 409, "referenced"),
        ("foreign_key", "POST", 400, "invalid_reference"),
        ("check", "POST", 400, "invalid"),
    ],
)
def test_integrity_error_mapped_by_psycopg_class(
    client: FlaskClient, kind: str, method: str, status: int, code: str
) -> None:
    response = client.open(FAIL.format(kind), method=method)

    assert response.status_code == status
    assert errors_of(response)[0]["code"] == code


@pytest.mark.parametrize("kind", ["unique", "foreign_key", "check", "data", "down"])
def test_database_error_body_leaks_no_sql_or_values(
    client: FlaskClient, kind: str
) -> None:
    response = client.post(FAIL.format(kind))

    assert SECRET not in response.get_data(as_text=True)
    assert "SELECT" not in response.get_data(as_text=True)
    assert "INSERT" not in response.get_data(as_text=True)


def test_classify_integrity_error_constraint_name_kept() -> None:
    problem = classify_integrity_error(NamedUniqueViolation("dup"), "POST")

    assert problem.constraint == "uq_sites_organization_id_name"


def test_data_error_is_400(client: FlaskClient) -> None:
    assert_refused(client, "GET", FAIL.format("data"), 400, unchanged=())


def test_database_down_is_503_with_retry_after(client: FlaskClient) -> None:
    response = client.get(FAIL.format("down"))

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert errors_of(response)[0]["code"] == "unavailable"


def test_unexpected_exception_is_generic_500(client: FlaskClient) -> None:
    response = client.get(FAIL.format("crash"))

    assert response.status_code == 500
    assert errors_of(response) == [
        {
            "status": "500",
            "code": "server_error",
            "title": "Internal server error",
            "detail": "An unexpected error occurred. It has been logged.",
        }
    ]


def test_unexpected_exception_logged_with_traceback(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="app.jsonapi.handlers"):
        client.get(FAIL.format("crash"))

    assert caplog.records[0].exc_info is not None


def test_html_prefix_unexpected_exception_is_html_500(client: FlaskClient) -> None:
    response = client.get("/accounts/page/?fail=crash")

    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert SECRET not in response.get_data(as_text=True)


def test_html_prefix_unknown_url_is_html_404() -> None:
    app = create_test_app(Rollbacks())
    app.add_url_rule("/accounts/<name>/", "account", lambda name: name)

    response = app.test_client().get("/accounts/x/y/z/")

    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_openapi_documents_jsonapi_bodies_and_errors(app: Flask) -> None:
    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]

    spec = api.spec.to_dict()

    post = spec["paths"]["/api/v1/things/"]["post"]
    assert list(post["requestBody"]["content"]) == [JSONAPI_MEDIA_TYPE]
    error = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert error == {
        JSONAPI_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ErrorDocument"}}
    }


def test_register_error_handlers_default_rolls_back_flask_sqlalchemy_session() -> None:
    app = Flask(__name__)
    session = Rollbacks()
    app.extensions["sqlalchemy"] = SimpleNamespace(session=session)
    register_error_handlers(app)

    @app.get("/api/x/")
    def duplicate() -> str:
        raise FAILURES["unique"]()

    response = app.test_client().get("/api/x/")

    assert response.status_code == 409
    assert session.count == 1


def test_register_error_handlers_without_jsonapi_provider_still_jsonapi() -> None:
    app = Flask(__name__)
    register_error_handlers(app)

    response = app.test_client().get("/api/nothing/")

    assert response.status_code == 404
    assert response.mimetype == JSONAPI_MEDIA_TYPE
