"""The OpenAPI document as YAML (Managair's default) or JSON, and two pages reading it.

``/api/v1/schema/`` answers YAML as drf-spectacular did (``?format=json`` for
JSON; flask-smorest serves the same document at ``openapi.json``). The pages
load Swagger UI and ReDoc from ``/static/vendor/`` (copied from a pinned wheel
by ``scripts/vendor_api_docs.py``), so they work without Internet access.
"""

from __future__ import annotations

import json

import yaml

from flask import Blueprint, Response, current_app, render_template, request, url_for

blp = Blueprint("apidocs", __name__, url_prefix="/api/v1/schema")

YAML_MEDIA_TYPE = "application/vnd.oai.openapi; charset=utf-8"
JSON_MEDIA_TYPE = "application/vnd.oai.openapi+json"
#: The pages' CSP: the HTML default plus what the two bundles need (inline
#: style attributes, ReDoc's search worker from a blob URL); still no inline
#: script and nothing from another origin.
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


@blp.get("/")
def schema() -> Response:
    """Return the OpenAPI document: YAML, or JSON with ``?format=json``."""
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec
    document = spec.to_dict()
    if request.args.get("format") == "json":
        return Response(json.dumps(document), mimetype=JSON_MEDIA_TYPE)
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return Response(body, content_type=YAML_MEDIA_TYPE)


@blp.get("/swagger-ui/")
def swagger_ui() -> Response:
    """Render Swagger UI for the OpenAPI document."""
    return _page("apidocs/swagger_ui.html")


@blp.get("/redoc/")
def redoc() -> Response:
    """Render ReDoc for the OpenAPI document."""
    return _page("apidocs/redoc.html")


def _page(template: str) -> Response:
    html = render_template(
        template,
        title=current_app.config["API_TITLE"],
        spec_url=url_for("api-docs.openapi_json"),
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response
