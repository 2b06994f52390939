"""Odd input on the tenancy endpoints gets a JSON:API 4xx, never a 500."""

from __future__ import annotations

import pytest

from flask.testing import FlaskClient

from sqlalchemy.orm import Session

from app.models import Role
from tests.factories import make_membership, make_organization, make_user
from tests.support.auth import auth_headers

HUGE = "9" * 25
ODD_REQUESTS = [
    ("GET", f"/api/v1/users/{HUGE}/", None),
    ("GET", f"/api/v1/organizations/{HUGE}/", None),
    ("GET", "/api/v1/users/?filter[organization]=0", None),
    ("GET", f"/api/v1/users/?filter[organization]={HUGE}", None),
    ("GET", "/api/v1/memberships/?filter[user]=-1", None),
    ("GET", "/api/v1/organizations/?page[size]=0", None),
    ("GET", "/api/v1/organizations/?page[number]=x&page[size]=1", None),
    ("GET", "/api/v1/organizations/?include=users&include=users", None),
    ("GET", "/api/v1/users/?filter[search]=%00", None),
    ("POST", "/api/v1/organizations/", "{not json"),
    ("POST", "/api/v1/organizations/", '{"data": {"type": "Organization", "attributes": []}}'),
    ("POST", "/api/v1/organizations/", '{"data": {"type": "Organization", "attributes": {"name": "a\\u0000b"}}}'),
    ("POST", "/api/v1/memberships/", '{"data": {"type": "Membership", "relationships": {"user": {"data": {"type": "User", "id": "' + HUGE + '"}}, "organization": {"data": {"type": "Organization", "id": "1"}}}}}'),
    ("POST", "/api/v1/memberships/", '{"data": {"type": "Membership", "relationships": {"user": {"data": [{"type": "User", "id": "1"}]}}}}'),
    ("PATCH", "/api/v1/organizations/{org}/", '{"data": {"type": "Organization", "id": "{org}", "relationships": {"users": {"data": {"type": "User", "id": "1"}}}}}'),
    ("PATCH", "/api/v1/organizations/{org}/", '{"data": {"type": "Organization", "id": "{org}", "attributes": {"description": 5}}}'),
    ("POST", "/api/v1/organizations/{org}/relationships/users/", "[]"),
    ("DELETE", "/api/v1/organizations/{org}/relationships/users/", None),
    ("POST", "/api/v1/organizations/{org}/relationships/users/", '{"data": [{"type": "User", "id": "' + HUGE + '"}]}'),
    ("PUT", "/api/v1/organizations/{org}/relationships/users/", "{}"),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body"), ODD_REQUESTS)
def test_odd_request_is_a_jsonapi_4xx(
    client: FlaskClient, session: Session, method: str, path: str, body: str | None
) -> None:
    owner = make_user(session)
    org = make_organization(session)
    make_membership(session, owner, org, Role.OWNER)
    headers = auth_headers(session, owner)

    resp = client.open(
        path.replace("{org}", str(org.id)),
        method=method,
        data=None if body is None else body.replace("{org}", str(org.id)),
        content_type=None if body is None else "application/vnd.api+json",
        headers=headers,
    )

    assert 400 <= resp.status_code < 500, resp.get_data(as_text=True)
    assert resp.json is not None
    assert resp.json["errors"][0]["status"] == str(resp.status_code)
