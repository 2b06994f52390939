"""Media types: JSON:API responses, JSON request bodies, opt-outs."""

from __future__ import annotations

import io

import pytest

from flask import Flask
from flask.testing import FlaskClient

from app.jsonapi import (
    JSONAPI_MEDIA_TYPE,
    JsonApiProvider,
    init_media,
    install_json_provider,
)
from tests.support.refusals import assert_refused

BODY = {"data": {"type": "Thing", "attributes": {"name": "n"}}}


def test_response_success_is_jsonapi_media_type(client: FlaskClient) -> None:
    response = client.get("/api/v1/things/1/")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == JSONAPI_MEDIA_TYPE


def test_provider_non_ascii_text_stays_readable(app: Flask) -> None:
    with app.app_context():
        text = app.json.dumps({"name": "Großraumbüro"})

    assert text == '{"name": "Großraumbüro"}'


def test_provider_keys_keep_insertion_order(app: Flask) -> None:
    with app.app_context():
        text = app.json.dumps({"links": 1, "data": 2, "meta": 3})

    assert text == '{"links": 1, "data": 2, "meta": 3}'


def test_install_json_provider_twice_keeps_provider(app: Flask) -> None:
    provider = app.json

    install_json_provider(app)

    assert app.json is provider
    assert isinstance(provider, JsonApiProvider)


def test_request_body_jsonapi_type_accepted(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/things/", json=BODY, content_type=JSONAPI_MEDIA_TYPE
    )

    assert response.status_code == 201


def test_request_body_plain_json_accepted(client: FlaskClient) -> None:
    response = client.post("/api/v1/things/", json=BODY)

    assert response.status_code == 201


def test_request_body_jsonapi_with_profile_accepted(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/things/",
        json=BODY,
        content_type=f'{JSONAPI_MEDIA_TYPE}; profile="https://x.org/profile"',
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    "parameters", ["version=1", 'ext="https://x.org/ext"', "ext=a; charset=utf-8"]
)
def test_request_body_jsonapi_with_a_parameter_or_extension_is_415(
    client: FlaskClient, parameters: str
) -> None:
    assert_refused(
        client,
        "POST",
        "/api/v1/things/",
        415,
        json=BODY,
        content_type=f"{JSONAPI_MEDIA_TYPE}; {parameters}",
        unchanged=(),
        header="Content-Type",
    )


def test_request_body_jsonapi_with_a_parameter_accepted_outside_jsonapi_prefixes() -> (
    None
):
    app = Flask(__name__)
    init_media(app, jsonapi_prefixes=())
    app.add_url_rule("/api/v1/echo/", "echo", lambda: ("", 201), methods=["POST"])

    response = app.test_client().post(
        "/api/v1/echo/",
        json=BODY,
        content_type=f"{JSONAPI_MEDIA_TYPE}; charset=utf-8",
        headers={"Accept": f"{JSONAPI_MEDIA_TYPE}; version=1"},
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    "accept",
    [
        f"{JSONAPI_MEDIA_TYPE}; version=1",
        f'{JSONAPI_MEDIA_TYPE}; ext="https://x.org/ext"; q=0.5, text/html',
    ],
)
def test_accept_with_every_jsonapi_type_modified_is_406(
    client: FlaskClient, accept: str
) -> None:
    assert_refused(
        client,
        "GET",
        "/api/v1/things/1/",
        406,
        headers={"Accept": accept},
        unchanged=(),
        header="Accept",
    )


@pytest.mark.parametrize(
    "accept",
    [
        f"{JSONAPI_MEDIA_TYPE}; version=1, {JSONAPI_MEDIA_TYPE}",
        f"{JSONAPI_MEDIA_TYPE}; charset=utf-8",
        f"{JSONAPI_MEDIA_TYPE}; profile=p",
        "Application/VND.api+json",
        "application/json, */*",
    ],
)
def test_accept_with_a_usable_jsonapi_type_or_none_passes(
    client: FlaskClient, accept: str
) -> None:
    response = client.get("/api/v1/things/1/", headers={"Accept": accept})

    assert response.status_code == 200


def test_request_body_jsonapi_with_other_parameter_is_415(
    client: FlaskClient,
) -> None:
    response = client.post(
        "/api/v1/things/", json=BODY, content_type=f"{JSONAPI_MEDIA_TYPE}; version=1"
    )

    assert response.status_code == 415
    assert response.json is not None
    assert response.json["errors"][0]["code"] == "unsupported_media_type"


def test_request_body_text_plain_is_415_jsonapi_error(client: FlaskClient) -> None:
    response = client.post("/api/v1/things/", data="name=x", content_type="text/plain")

    assert response.status_code == 415
    assert response.mimetype == JSONAPI_MEDIA_TYPE
    assert response.json == {
        "errors": [
            {
                "status": "415",
                "code": "unsupported_media_type",
                "title": "Unsupported Media Type",
                "detail": 'Unsupported media type "text/plain" in request. '
                "Send application/json or application/vnd.api+json.",
                "source": {"header": "Content-Type"},
            }
        ]
    }


def test_request_body_without_content_type_is_415(client: FlaskClient) -> None:
    assert_refused(
        client,
        "POST",
        "/api/v1/things/",
        415,
        data=b'{"data": {}}',
        unchanged=(),
        header="Content-Type",
    )


def test_request_get_with_jsonapi_content_type_and_no_body_passes(
    client: FlaskClient,
) -> None:
    response = client.get("/api/v1/things/1", content_type=JSONAPI_MEDIA_TYPE)

    assert response.status_code == 200


def test_request_body_on_unknown_url_is_404_not_415(client: FlaskClient) -> None:
    assert_refused(
        client,
        "POST",
        "/api/v1/nothing/",
        404,
        data="x",
        content_type="text/plain",
        unchanged=(),
    )


def test_accepts_media_types_multipart_upload_passes(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/things/upload/",
        data={"image": (io.BytesIO(b"png"), "room.png")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 201
    assert response.json == {"files": ["image"]}


def test_accepts_media_types_on_method_view_method_under_smorest_decorator(
    client: FlaskClient,
) -> None:
    response = client.post(
        "/api/v1/things/1/image/",
        data={"image": (io.BytesIO(b"png"), "room.png")},
        content_type="multipart/form-data",
    )

    assert response.status_code == 201


def test_accepts_media_types_json_on_multipart_view_is_415(
    client: FlaskClient,
) -> None:
    assert_refused(
        client,
        "POST",
        "/api/v1/things/upload/",
        415,
        json=BODY,
        unchanged=(),
        header="Content-Type",
    )


def test_init_media_html_form_post_outside_prefixes_passes(
    client: FlaskClient,
) -> None:
    response = client.post("/accounts/page/", data={"login": "vera"})

    assert response.status_code == 200
