"""Ingest: Managair's single-sample endpoint, batch ingest and LoRaWAN webhooks.

Ingest authenticates with ingest tokens of its own (``app.services.ingest.
credentials``), never with user credentials; ``INGEST_AUTH=none`` opens it for
deployments where the endpoint is internal.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from flask import Flask, current_app, request
from flask.typing import ResponseReturnValue
from flask.views import MethodView
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from app.blueprints import docs
from app.blueprints.common import body
from app.blueprints.ingest import parse, readers, render, uplinks
from app.blueprints.ingest.schemas import (
    BatchDocumentSchema,
    SampleDocumentSchema,
    UplinkDocumentSchema,
)
from app.db import transaction
from app.jsonapi import (
    JsonApiBlueprint,
    accepts_media_types,
    error_object,
    error_response,
    parse_resource,
)
from app.metrics import count_ingested
from app.models.types import utcnow
from app.services.ingest import (
    batch,
    credentials,
    driver,
    single,
    token_throttle,
    webhooks,
)
from app.services.ingest.batch import BatchReport
from app.services.ingest.credentials import IngestScope
from app.services.ingest.errors import (
    MissingTokenError,
)
from app.services.ingest.validation import Limits
from app.services.outbox.publishers import enabled_names

blp = JsonApiBlueprint(
    "ingest",
    __name__,
    url_prefix="/ingest/v1",
    description="Samples in: one at a time (Managair), in batches, from LoRaWAN "
    "network servers. Authenticate with an ingest token: "
    "`Authorization: Token <token>`.",
)

_SCOPES_EXTENSION = "ingest.verified_scopes"


_SAMPLE_BODY = docs.request_body(SampleDocumentSchema)
_BATCH_BODY = {
    "required": True,
    "description": "A JSON array of samples, NDJSON or CSV with a header row "
    "(columns node_id or eui64, timestamp_s or time, co2_ppm, temperature_celsius, "
    "rel_humidity_percent, measurement_status); `Content-Encoding: gzip` allowed.",
    "content": {
        media: {"schema": {"type": "string"}} for media in sorted(readers.MEDIA_TYPES)
    },
}


def token_cache(app: Flask) -> credentials.TokenCache:
    """The ingest tokens this worker verified recently (shared with the fast path)."""
    ttl_s = app.config["INGEST_TOKEN_CACHE_S"]
    cache = app.extensions.get(_SCOPES_EXTENSION)
    if cache is None or cache.ttl_s != ttl_s:
        cache = app.extensions[_SCOPES_EXTENSION] = credentials.TokenCache(ttl_s)
    return cache


def _authenticate() -> IngestScope:
    """The caller's ingest scope, checked in a transaction of its own.

    A refused token is answered 401 only after that transaction committed, so the
    failure counted against the client address (the rate limit) is kept, as the
    log-in keeps its own.
    """
    config = current_app.config
    cache = token_cache(current_app)
    headers: Any = request.headers
    address = request.remote_addr or ""
    with transaction() as session:
        try:
            return token_throttle.authenticate(
                session, headers, config, cache, address, utcnow()
            )
        except MissingTokenError as exc:
            refused = exc
    raise refused


def _count_report(report: BatchReport) -> None:
    count_ingested(report.stored, report.duplicate, report.conflicting, report.rejected)


def _limits() -> Limits:
    return Limits(int(time.time()), current_app.config["INGEST_MAX_FUTURE_S"])


def _publishers() -> Sequence[str]:
    return enabled_names(current_app.config)


def unsupported_media_type(error: UnsupportedMediaType) -> ResponseReturnValue:
    """Answer 415 naming the Content-Type header."""
    detail = error.description or "Unsupported media type."
    obj = error_object(
        415,
        "unsupported_media_type",
        "Unsupported media type",
        detail,
        header="Content-Type",
    )
    return error_response(415, [obj])


def body_too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """Answer 413 naming the limit that applied (``MAX_REQUEST_BYTES``) and the way out."""
    limit = current_app.config["MAX_REQUEST_BYTES"]
    detail = (
        f"The body is larger than {limit} bytes as sent (MAX_REQUEST_BYTES). "
        "Send a batch gzip-compressed (Content-Encoding: gzip; up to "
        f"{current_app.config['INGEST_MAX_BODY_BYTES']} bytes once decoded) or "
        "split it."
    )
    obj = error_object(
        413, "too_large", "Request entity too large", detail, header="Content-Length"
    )
    return error_response(413, [obj])


blp.register_error_handler(UnsupportedMediaType, unsupported_media_type)
blp.register_error_handler(RequestEntityTooLarge, body_too_large)


@blp.route("/ingest/")
class SampleIngest(MethodView):
    """Managair's ingest endpoint: one sample per request."""

    @docs.takes(blp, _SAMPLE_BODY)
    @docs.responds(blp, 201, "Stored.", SampleDocumentSchema)
    @docs.responds(blp, 200, "This sample was stored before.", SampleDocumentSchema)
    @docs.responds(blp, 409, "Another sample of the node at that time.")
    @docs.throttled(blp)
    def post(self) -> ResponseReturnValue:
        """Store one sample (Managair-compatible)."""
        publishers = _publishers()
        scope = _authenticate()
        resource = parse_resource(body(empty=False), "Sample")
        sample = parse.sample_from_resource(resource, _limits())
        with transaction() as session:
            if not publishers:  # one INSERT: no transaction block needed
                driver.use_autocommit(session)
            result = single.ingest_sample(session, scope, sample, publishers)
        count_ingested(stored=int(result.created), duplicate=int(not result.created))
        return render.sample_document(result), 201 if result.created else 200


@blp.route("/samples/")
class SampleBatch(MethodView):
    """Batch ingest."""

    @accepts_media_types(*readers.MEDIA_TYPES)
    @docs.takes(blp, _BATCH_BODY)
    @docs.responds(blp, 200, "Processed.", BatchDocumentSchema)
    @docs.responds(
        blp,
        413,
        "Larger than MAX_REQUEST_BYTES as sent or INGEST_MAX_BODY_BYTES decoded, "
        "or more than 200,000 records.",
    )
    @docs.responds(blp, 415, "Not JSON, NDJSON or CSV, or not gzip.")
    @docs.throttled(blp)
    def post(self) -> ResponseReturnValue:
        """Store a batch of samples and report on every record."""
        config = current_app.config
        scope = _authenticate()
        body = readers.open_body(
            request.stream,
            request.content_length,
            request.headers.get("Content-Encoding", ""),
            config["INGEST_MAX_BODY_BYTES"],
        )
        with transaction() as session:
            report = batch.ingest_batch(
                session,
                scope,
                readers.records(request.mimetype, body),
                _limits(),
                _publishers(),
            )
        _count_report(report)
        return render.batch_document(report), 200


@blp.route("/ttn/")
class TtnUplink(MethodView):
    """The Things Stack v3 webhook (uplink messages)."""

    @docs.responds(blp, 200, "Stored.", UplinkDocumentSchema)
    @docs.responds(
        blp, 204, "A message without application payload (or on port 0): ignored."
    )
    @docs.responds(blp, 404, "No node has this DevEUI.")
    @docs.throttled(blp)
    def post(self) -> ResponseReturnValue:
        """Decode and store a The Things Stack uplink."""
        scope = _authenticate()
        message = uplinks.parse_ttn(body(empty=False), time.time())
        return _store_uplink(scope, message)


@blp.route("/chirpstack/")
class ChirpStackUplink(MethodView):
    """ChirpStack v4 HTTP integration (JSON encoding); events other than up are ignored."""

    @docs.responds(blp, 200, "Stored.", UplinkDocumentSchema)
    @docs.responds(
        blp, 204, "Not an uplink, or no application payload (or on port 0): ignored."
    )
    @docs.responds(blp, 404, "No node has this DevEUI.")
    @docs.throttled(blp)
    def post(self) -> ResponseReturnValue:
        """Decode and store a ChirpStack uplink event."""
        scope = _authenticate()
        if request.args.get("event", "up") != "up":
            return "", 204
        message = uplinks.parse_chirpstack(body(empty=False), time.time())
        return _store_uplink(scope, message)


def _store_uplink(
    scope: IngestScope, message: webhooks.UplinkMessage | None
) -> ResponseReturnValue:
    """Store a decoded network-server uplink; one without payload is ignored (204)."""
    if message is None:
        return "", 204
    with transaction() as session:
        result = webhooks.ingest_uplink(
            session, scope, message, _limits(), _publishers()
        )
    _count_report(result.report)
    return render.uplink_document(result), 200
