"""gunicorn's own error answers as JSON:API error documents.

gunicorn answers a few requests before the app sees them: a request line longer
than ``limit_request_line`` (414), more header fields than ``limit_request_fields``
or one longer than ``limit_request_field_size`` (431), a request it cannot parse
(400), and an app that fails outside Flask's error handling (500). It writes an
HTML page for these in ``gunicorn.util.write_error``, its one writer, called from
``Worker.handle_error`` for every worker class. :func:`install` (run in each
worker by ``gunicorn.conf.py``) puts :func:`write_error` in its place, so clients
get the same ``{"errors": [...]}`` shape as for every other error.
"""

from __future__ import annotations

import re
import socket

import orjson
from gunicorn import util  # type: ignore[import-untyped]

from app.http import REQUEST_ID_HEADER, request_id, security_headers
from app.jsonapi.errors import GENERIC_500, error_object
from app.jsonapi.media import JSONAPI_MEDIA_TYPE


def write_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Write gunicorn's error answer as a JSON:API document (``util.write_error``'s shape).

    Args:
        sock: the client's socket; the connection is closed afterwards.
        status_int: the status gunicorn chose (400, 403, 414, 431, 500, 501, ...).
        reason: its reason phrase, used as the title.
        mesg: gunicorn's description of the problem (empty for a 500).
    """
    detail = GENERIC_500 if status_int >= 500 and not mesg else mesg or reason
    code = re.sub(r"[^a-z0-9]+", "_", reason.lower()).strip("_")
    error = error_object(status_int, code, reason, detail)
    body = orjson.dumps({"errors": [error]}) + b"\n"
    headers = [
        ("Connection", "close"),
        ("Content-Type", JSONAPI_MEDIA_TYPE),
        ("Content-Length", str(len(body))),
        (REQUEST_ID_HEADER, request_id("")),
        *security_headers(JSONAPI_MEDIA_TYPE, https=False),
    ]
    head = f"HTTP/1.1 {status_int} {reason}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers
    )
    util.write_nonblock(sock, (head + "\r\n").encode("latin-1") + body)


def install() -> None:
    """Make this process's gunicorn worker answer its own errors with :func:`write_error`."""
    util.write_error = write_error
