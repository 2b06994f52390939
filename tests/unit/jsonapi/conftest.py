"""A tiny Flask app wired like the real one, with views that use the jsonapi helpers.

No database: database errors are raised by hand with psycopg error instances.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import flask_smorest
import marshmallow as ma
from flask import Flask, request
from flask.testing import FlaskClient
from flask.typing import ResponseReturnValue
from flask.views import MethodView

from psycopg import errors as pg
from sqlalchemy import exc as sa_exc

from app import errors
from app.jsonapi import (
    JsonApi,
    JsonApiBlueprint,
    accepts_media_types,
    collection,
    init_media,
    make_slashes_optional,
    paginate,
    parse_query_params,
    parse_resource,
    register_error_handlers,
    resource,
    single,
    to_one,
)

SECRET = "secret-table-name-and-password"
MAX_BODY = 4096


class Rollbacks:
    """Counts rollbacks; stands in for the session the handlers roll back."""

    def __init__(self) -> None:
        self.count = 0

    def rollback(self) -> None:
        """Record one rollback."""
        self.count += 1


class ThingAttributesSchema(ma.Schema):
    name = ma.fields.String(required=True)


class ThingDataSchema(ma.Schema):
    type = ma.fields.String(required=True)
    attributes = ma.fields.Nested(ThingAttributesSchema, required=True)


class ThingDocumentSchema(ma.Schema):
    data = ma.fields.Nested(ThingDataSchema, required=True)


class ThingQueryArgsSchema(ma.Schema):
    since = ma.fields.Integer(data_key="filter[since]")


def thing(pk: int) -> dict[str, Any]:
    """Return the resource object of thing ``pk``."""
    return resource(
        "Thing",
        pk,
        {"name": f"thing {pk}"},
        {"site": to_one("Site", 7, related=f"/api/v1/things/{pk}/site/")},
        self_link=f"/api/v1/things/{pk}/",
    )


blp = JsonApiBlueprint("things", __name__, url_prefix="/api/v1/things")


@blp.route("/")
class ThingList(MethodView):
    @blp.arguments(ThingQueryArgsSchema, location="query")
    def get(self, args: dict[str, Any]) -> ResponseReturnValue:
        """List the things."""
        params = parse_query_params(strict=False)
        params.check_include({"site"})
        page = paginate(5, params)
        rows = page.slice([thing(pk) for pk in range(1, 6)])
        return collection(rows, links=page.links, meta=page.meta)

    @blp.arguments(ThingDocumentSchema)
    def post(self, body: dict[str, Any]) -> ResponseReturnValue:
        """Create a thing."""
        return single(thing(9)), 201


@blp.route("/<int:pk>/")
class ThingItem(MethodView):
    def get(self, pk: int) -> ResponseReturnValue:
        """Get a thing."""
        if pk != 1:
            raise errors.NotFoundError("Nicht gefunden.")
        return single(thing(pk))

    def patch(self, pk: int) -> ResponseReturnValue:
        """Update a thing."""
        parsed = parse_resource(request.get_json(), "Thing", url_id=pk, require_id=True)
        return single(thing(int(parsed.id or 0)))

    def delete(self, pk: int) -> ResponseReturnValue:
        """Delete a thing."""
        return "", 204


@blp.route("/upload/", methods=["POST"])
@accepts_media_types("multipart/form-data")
def upload() -> ResponseReturnValue:
    """Take an image upload."""
    return {"files": sorted(request.files)}, 201


@blp.route("/<int:pk>/image/")
class ThingImage(MethodView):
    @blp.response(201)
    @accepts_media_types("multipart/form-data")
    def post(self, pk: int) -> dict[str, list[str]]:
        """Replace the image of a thing."""
        return {"files": sorted(request.files)}


def integrity(orig: Exception) -> sa_exc.IntegrityError:
    """Return an IntegrityError as SQLAlchemy raises it around ``orig``."""
    return sa_exc.IntegrityError("INSERT INTO secret ...", {"pw": SECRET}, orig)


FAILURES: dict[str, Callable[[], Exception]] = {
    "unauthenticated": lambda: errors.UnauthenticatedError("Anmeldedaten fehlen."),
    "forbidden": lambda: errors.ForbiddenError("Sie sind nicht berechtigt."),
    "conflict": lambda: errors.ConflictError("Schon da.", "/data/attributes/name"),
    "multi": lambda: errors.ValidationError(
        "Name fehlt.",
        pointer="/data/attributes/name",
        errors=[errors.ErrorDetail("Zu groß.", "/data/attributes/size", "max")],
    ),
    "unique": lambda: integrity(pg.UniqueViolation(SECRET)),
    "exclusion": lambda: integrity(pg.ExclusionViolation(SECRET)),
    "foreign_key": lambda: integrity(pg.ForeignKeyViolation(SECRET)),
    "check": lambda: integrity(pg.CheckViolation(SECRET)),
    "data": lambda: sa_exc.DataError("SELECT 1", {}, pg.InvalidTextRepresentation()),
    "down": lambda: sa_exc.OperationalError("SELECT 1", {}, pg.OperationalError()),
    "crash": lambda: RuntimeError(SECRET),
}


@blp.route("/fail/<kind>/", methods=["GET", "POST", "DELETE"])
def fail(kind: str) -> ResponseReturnValue:
    """Raise the failure named ``kind``."""
    if kind == "abort":
        flask_smorest.abort(409, message="Schon vergeben.")
    raise FAILURES[kind]()


def page() -> ResponseReturnValue:
    """An HTML page; fails with ``?fail=<kind>``."""
    if "fail" in request.args:
        raise FAILURES[request.args["fail"]]()
    return "<p>ok</p>"


def create_test_app(rollbacks: Rollbacks) -> Flask:
    """Build the app the way ``create_app`` is meant to wire the package."""
    app = Flask(__name__)
    app.config.update(
        TESTING=True,
        API_TITLE="test",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        MAX_CONTENT_LENGTH=MAX_BODY,
    )
    make_slashes_optional(app)
    api = JsonApi(app)
    register_error_handlers(app, session=rollbacks, html_prefixes=("/accounts/",))
    init_media(app)
    api.register_blueprint(blp)
    app.add_url_rule("/accounts/page/", view_func=page, methods=["GET", "POST"])
    return app


@pytest.fixture(scope="session")
def _tiny_app() -> tuple[Flask, Rollbacks]:
    """One tiny app for all tests: building it (flask-smorest registering the
    blueprint and its OpenAPI document) for each test took a third of the unit
    tier's time. A test that adds routes builds its own."""
    session = Rollbacks()
    return create_test_app(session), session


@pytest.fixture
def rollbacks(_tiny_app: tuple[Flask, Rollbacks]) -> Rollbacks:
    """The stand-in session of the app, its count back at zero."""
    session = _tiny_app[1]
    session.count = 0
    return session


@pytest.fixture
def app(_tiny_app: tuple[Flask, Rollbacks], rollbacks: Rollbacks) -> Flask:
    """The tiny app."""
    return _tiny_app[0]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the tiny app."""
    return app.test_client()
