"""The wired app answers errors as JSON:API documents."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.support.refusals import assert_refused


def test_unknown_api_url_is_a_jsonapi_404(client: FlaskClient) -> None:
    resp = client.get("/api/v1/no-such-thing/")

    assert resp.status_code == 404
    assert resp.mimetype == "application/vnd.api+json"
    assert resp.json is not None
    assert resp.json["errors"][0]["status"] == "404"


def test_invalid_token_is_401_with_www_authenticate(client: FlaskClient) -> None:
    resp = client.get("/api/v1/", headers={"Authorization": "Token nope"})

    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"].startswith("Token")
    assert resp.json is not None
    assert resp.json["errors"][0]["code"] == "not_authenticated"


def test_unknown_authorization_scheme_is_401(client: FlaskClient) -> None:
    assert_refused(
        client,
        "GET",
        "/api/v1/",
        401,
        headers={"Authorization": "Basic dTpw"},
        unchanged=(),
        header="Authorization",
    )
