"""A lean WSGI path for the commonest request of all: one new sample from a known sender.

Every sensor posts a sample every few minutes, so ``POST /ingest/v1/ingest/`` is
the request a deployment answers most. Through Flask it costs about a millisecond
of CPU: the request context, a dozen hooks (request id, metrics, CSRF,
authentication, security headers), the SQLAlchemy session and flask-smorest's
wrappers, for one ``INSERT``. This middleware answers only the plain success and
hands everything else to the Flask route, unchanged:

- ``POST`` of a JSON(:API) body of at most :data:`MAX_BODY` bytes to the route's
  path (with or without the trailing slash);
- a token this worker verified within ``INGEST_TOKEN_CACHE_S`` (or
  ``INGEST_AUTH=none``), no publishers enabled (their outbox row needs the
  route's transaction), the app bound to its engine (not to a caller's
  connection, as in the rolled-back test sessions), no debug output;
- a body within :mod:`app.jsonapi.guard`'s limits that
  :func:`~app.jsonapi.parse_resource` and
  :func:`~app.blueprints.ingest.parse.sample_from_resource` accept, and a
  sample the service's own statement stores (one row affected).

It validates with the route's functions, stores with the service's statement,
renders with the route's renderer and JSON provider, adds the same headers and
counts the same metrics, so the answer is the route's answer. Whatever does not
fit, including every error, a retried sample (200) or a conflict (409), is
replayed to Flask with the body it read; nothing was stored by then, because the
statement commits on its own and stores nothing when it fails. There is one
implementation of every rule and one error mapping.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import orjson

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.wsgi import get_host

import psycopg
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.exc import TimeoutError as SATimeoutError

from app.blueprints.ingest import parse, render
from app.blueprints.ingest.routes import token_cache
from app.extensions import db
from app.http import REQUEST_ID_HEADER, request_id, security_headers
from app.jsonapi import JSONAPI_MEDIA_TYPE, guard, parse_resource
from app.metrics import count_ingested, observe_request
from app.services.accounts import tokens
from app.services.ingest import credentials, single
from app.services.ingest.credentials import IngestScope
from app.services.ingest.validation import Limits
from app.services.outbox.publishers import enabled_names

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

ROUTE = "/ingest/v1/ingest/"
PATHS = frozenset({ROUTE, ROUTE.rstrip("/")})
MEDIA_TYPES = frozenset({JSONAPI_MEDIA_TYPE, "application/json"})
MAX_BODY = 16 * 1024  # one sample is about 300 bytes
CREATED = "201 CREATED"
EXTENSION = "ingest.fast_path"


def _environ_key(header: str) -> str:
    """The WSGI environ key of a request header (``X-Request-ID``: ``HTTP_X_REQUEST_ID``)."""
    return "HTTP_" + header.upper().replace("-", "_")


_HEADER_ENVIRON = _environ_key(REQUEST_ID_HEADER)


def install(app: Flask) -> None:
    """Put the fast path in front of ``app`` unless ``INGEST_FAST_PATH`` is off."""
    if app.config["INGEST_FAST_PATH"]:
        fast = SingleSampleFastPath(app, app.wsgi_app)
        app.wsgi_app = fast  # type: ignore[method-assign]
        app.extensions[EXTENSION] = fast


def dispose(app: Flask) -> None:
    """Close the fast path's connections (an app that is done, as in tests)."""
    fast = app.extensions.get(EXTENSION)
    if isinstance(fast, SingleSampleFastPath):
        fast.dispose()


class SingleSampleFastPath:
    """WSGI middleware answering the plain new-sample ingest (see the module)."""

    def __init__(self, app: Flask, wrapped: WSGIApplication) -> None:
        self.app = app
        self.wrapped = wrapped
        config = app.config
        self.open = config["INGEST_AUTH"] == credentials.AUTH_NONE
        self.token_header = config["INGEST_TOKEN_HEADER"]
        self.token_environ = _environ_key(self.token_header)
        self.max_future_s = config["INGEST_MAX_FUTURE_S"]
        self.security_headers = security_headers(JSONAPI_MEDIA_TYPE, config["HTTPS"])
        provider: Any = app.json  # ``compact`` is DefaultJSONProvider's, not the base's
        pretty = provider.compact is False or (provider.compact is None and app.debug)
        self.enabled = not enabled_names(config) and not pretty
        self.trusted_hosts = config.get("TRUSTED_HOSTS")
        with app.app_context():
            self.engines = db.engines  # the app's own mapping: rebinding shows here
        self._engine: Engine | None = None
        self._engine_lock = threading.Lock()

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """Answer the plain case, or pass the request on to Flask."""
        if not (
            self.enabled
            and environ.get("REQUEST_METHOD") == "POST"
            and environ.get("PATH_INFO") in PATHS
        ):
            return self.wrapped(environ, start_response)
        started = time.perf_counter()
        body = self._body(environ)
        if body is not None:
            answer = self._store(environ, body, started)
            if answer is not None:
                start_response(CREATED, answer[0])
                return [answer[1]]
            environ["wsgi.input"] = io.BytesIO(body)  # replay what was read
        return self.wrapped(environ, start_response)

    def _body(self, environ: WSGIEnvironment) -> bytes | None:
        """Read the body if it is small JSON without media-type parameters."""
        mimetype = environ.get("CONTENT_TYPE", "").strip().lower()
        if mimetype not in MEDIA_TYPES or environ.get("HTTP_TRANSFER_ENCODING"):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        if not 0 < length <= MAX_BODY:
            return None
        body: bytes = environ["wsgi.input"].read(length)
        return body

    def _scope(self, environ: WSGIEnvironment) -> IngestScope | None:
        if self.open:
            return credentials.OPEN
        headers = {
            "Authorization": environ.get("HTTP_AUTHORIZATION", ""),
            self.token_header: environ.get(self.token_environ, ""),
        }
        key = credentials.presented_key(headers, self.token_header)
        if not key:
            return None
        return token_cache(self.app).get(tokens.digest(key))

    def _pool(self, app_engine: Engine) -> Engine:
        """The fast path's own connections: the app's settings, tuned for one statement.

        - No ping and no check (the app's connections get
          :func:`app.db.init_connection_checks`): a ping is a round trip, a second
          statement per sample. Here a lost connection only means the route
          answers, with its checked connections.
        - Autocommit for good, and no reset on return: the statement commits on its
          own, so no transaction is ever left to roll back.
        - At most ``DB_POOL_SIZE`` connections, and never a wait for one: when all
          are busy (a burst under the gevent worker), the route takes the sample.

        The pool is created at the first sample.
        """
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    options = {**self.app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
                    options.update(
                        pool_pre_ping=False,
                        isolation_level="AUTOCOMMIT",
                        pool_reset_on_return=None,
                        max_overflow=0,
                        pool_timeout=0,
                    )
                    self._engine = create_engine(app_engine.url, **options)
        return self._engine

    def dispose(self) -> None:
        """Close the pool's connections; the next sample opens new ones."""
        with self._engine_lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def _host_allowed(self, environ: WSGIEnvironment) -> bool:
        """Flask's ``TRUSTED_HOSTS`` check (the route answers 400 otherwise)."""
        if not self.trusted_hosts:
            return True
        try:
            get_host(environ, self.trusted_hosts)
        except SecurityError:
            return False
        return True

    def _store(
        self, environ: WSGIEnvironment, body: bytes, started: float
    ) -> tuple[list[tuple[str, str]], bytes] | None:
        """Store the sample and return the answer's headers and body, or None."""
        app_engine = self.engines.get(None)
        if not isinstance(app_engine, Engine):
            return None  # bound to a caller's connection: its transaction rules
        if not self._host_allowed(environ):
            return None
        scope = self._scope(environ)
        if scope is None:
            return None
        try:
            resource = parse_resource(guard.loads(body, orjson.loads), "Sample")
            limits = Limits(int(time.time()), self.max_future_s)
            sample = parse.sample_from_resource(resource, limits)
        except Exception:  # the route answers every error
            return None
        if not _insert(self._pool(app_engine), *single.insert_statement(scope, sample)):
            return None
        document = render.sample_document(single.IngestResult(sample, created=True))
        body = f"{self.app.json.dumps(document, separators=(',', ':'))}\n".encode()
        headers = [
            ("Content-Type", JSONAPI_MEDIA_TYPE),
            ("Content-Length", str(len(body))),
            ("Vary", "Cookie"),  # as the route's: its hooks consult the session
            (REQUEST_ID_HEADER, request_id(environ.get(_HEADER_ENVIRON, ""))),
            *self.security_headers,
        ]
        count_ingested(stored=1)
        observe_request("POST", ROUTE, 201, time.perf_counter() - started)
        return headers, body


def _insert(engine: Engine, sql: str, params: dict[str, Any]) -> bool:
    """Run the statement on a pooled autocommit connection; True: a row stored.

    Any database error is logged and answered False: the statement stored nothing,
    and the route, which runs next, answers it (503 when the database is gone).
    ``raw_connection()`` does not wrap the driver's errors as ``Connection`` does:
    a refused or failed connect (a stopped or restarting server) raises psycopg's
    own ``OperationalError``, which would otherwise escape to the WSGI server as
    a bare 500.
    """
    try:
        pooled = engine.raw_connection()
    except SATimeoutError:  # every connection busy: the route takes this one
        return False
    except (SQLAlchemyError, psycopg.Error):  # no connection: the route answers 503
        log.info("Fast ingest path could not connect", exc_info=True)
        return False
    try:
        conn = pooled.driver_connection
        if not isinstance(conn, psycopg.Connection):
            return False
        try:
            return conn.execute(sql, params).rowcount == 1
        except psycopg.Error:
            log.info("Fast ingest path handed a sample to the route", exc_info=True)
            if conn.closed or conn.broken:
                pooled.invalidate()
            return False
    finally:
        pooled.close()
