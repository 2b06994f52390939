"""HTTP hygiene for every response: request ids, security headers, CORS, size limits.

Written here rather than with Flask-Talisman: we need four static headers and a CSP
for HTML pages only, not Talisman's HTTPS redirects or nonce machinery.
"""

from __future__ import annotations

import re
import uuid

from flask_cors import CORS

from flask import Flask, Response, g, request

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HTML_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def init_http(app: Flask) -> None:
    """Install request ids, security headers and CORS on ``app``."""
    app.before_request(_assign_request_id)
    app.after_request(_harden)
    origins = app.config["CORS_ORIGINS"]
    if origins:
        CORS(
            app,
            resources={r"/api/*": {"origins": list(origins)}},
            supports_credentials=True,
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-CSRFToken",
                "X-Request-ID",
            ],
            expose_headers=["Location", "Retry-After", "X-Request-ID"],
            max_age=600,
        )


def _assign_request_id() -> None:
    """Keep a caller's sane ``X-Request-ID`` (proxies set one), else make one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex


def _harden(response: Response) -> Response:
    from flask import current_app

    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "-")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", HTML_CSP)
    if current_app.config["HTTPS"]:
        response.headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    return response
