"""Media types: JSON:API responses, JSON request bodies, opt-outs."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient

from app.jsonapi import JSONAPI_MEDIA_TYPE, JsonApiProvider, install_json_provider
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


def test_request_body_jsonapi_with_ext_and_charset_accepted(
    client: FlaskClient,
) -> None:
    response = client.post(
        "/api/v1/things/",
        json=BODY,
        content_type=f'{JSONAPI_MEDIA_TYPE}; ext="https://x.org/ext"; charset=utf-8',
    )

    assert response.status_code == 201


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
            }
        ]
    }


def test_request_body_without_content_type_is_415(client: FlaskClient) -> None:
    assert_refused(
        client, "POST", "/api/v1/things/", 415, data=b'{"data": {}}', unchanged=()
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
        client, "POST", "/api/v1/things/upload/", 415, json=BODY, unchanged=()
    )


def test_init_media_html_form_post_outside_prefixes_passes(
    client: FlaskClient,
) -> None:
    response = client.post("/accounts/page/", data={"login": "vera"})

    assert response.status_code == 200
