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

_ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)
_HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


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


def request_id(given: str) -> str:
    """Keep a caller's sane ``X-Request-ID`` (proxies set one), else make one."""
    return given if _SAFE_ID.match(given) else uuid.uuid4().hex


def _assign_request_id() -> None:
    g.request_id = request_id(request.headers.get(REQUEST_ID_HEADER, ""))


def _harden(response: Response) -> Response:
    from flask import current_app

    headers = response.headers
    headers[REQUEST_ID_HEADER] = g.get("request_id", "-")
    present = {name.lower() for name, _ in headers.items()}  # one pass, not per header
    if _states_frame_ancestors(headers.get("Content-Security-Policy", "")):
        present.add(
            "x-frame-options"
        )  # an embed names who may frame it; DENY would win
    wanted = security_headers(response.mimetype or "", current_app.config["HTTPS"])
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    return response


def security_headers(mimetype: str, https: bool) -> list[tuple[str, str]]:
    """The security headers every response carries unless it sets them itself."""
    wanted = list(_ALWAYS)
    if mimetype == "text/html":
        wanted.append(("Content-Security-Policy", HTML_CSP))
    if https:
        wanted.append(_HSTS)
    return wanted


def _states_frame_ancestors(csp: str) -> bool:
    """Whether a response's own CSP allows some framing (the dashboard's embeds)."""
    return "frame-ancestors" in csp and "frame-ancestors 'none'" not in csp
