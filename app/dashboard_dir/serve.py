"""Serve the build in ``DASHBOARD_DIR`` at ``/dashboard/`` in place of the built-in pages.

A hook in front of routing answers every ``/dashboard/...`` request, so the
built-in dashboard's routes stay registered but unreachable, and the build's
files need no credentials and no database: it runs before authentication.

* a file of the build is sent as it is, with its content type; a content-hashed
  name (``assets/index-3f2a1b.js``) is cached for a year as ``immutable``, any
  other file (``favicon.ico``) and ``index.html`` are ``no-cache`` (revalidated
  by ETag, so a new build shows at once);
* a path without a file extension that is no file (``/dashboard/3/rooms``) gets
  ``index.html``: the app's router (history mode) draws it; a missing file with
  an extension is a 404, so a stale asset never comes back as HTML;
* ``..``, absolute paths, dot files (``.env``) and symbolic links out of the
  build are 404; only GET and HEAD are allowed (405).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, current_app, redirect, request, send_file
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.security import safe_join

from app.dashboard_dir import policy
from config import ConfigError

PREFIX = "/dashboard/"
INDEX = "index.html"
_ROOT = "dashboard_dir.root"
_METHODS = ("GET", "HEAD")


def init_dashboard_dir(app: Flask) -> None:
    """Serve ``DASHBOARD_DIR`` at ``/dashboard/`` when it is set.

    Call it before authentication is installed, so the hook runs first.

    Raises:
        ConfigError: the folder has no ``index.html``.
    """
    configured = app.config.get("DASHBOARD_DIR") or ""
    if not configured:
        return
    root = Path(configured).resolve()
    if not (root / INDEX).is_file():
        raise ConfigError(
            f"DASHBOARD_DIR: {configured!r} has no {INDEX}; point it at the "
            "build folder of the dashboard (e.g. como-ui's dist/)"
        )
    app.extensions[_ROOT] = root
    app.before_request(serve_build)


def serve_build() -> ResponseReturnValue | None:
    """Answer a ``/dashboard/`` request from the build; leave other paths alone.

    Raises:
        NotFound: no such file, or a path that leaves the build.
        MethodNotAllowed: not GET or HEAD.
    """
    if request.path == PREFIX.rstrip("/"):
        # Routes match with and without their slash here; the build's relative
        # URLs need the slash, and the built-in page must not answer instead.
        query = request.query_string.decode("latin-1")
        return redirect(PREFIX + (f"?{query}" if query else ""), 308)
    if not request.path.startswith(PREFIX):
        return None
    if request.method not in _METHODS:
        raise MethodNotAllowed(valid_methods=list(_METHODS))
    root: Path = current_app.extensions[_ROOT]
    relative = request.path[len(PREFIX) :]
    file = _inside(root, relative)
    if file is None:
        if "." in relative.rsplit("/", 1)[-1]:
            raise NotFound()
        return _index(root)
    if file == root / INDEX:
        return _index(root)
    response = send_file(
        file,
        mimetype=policy.content_type(file.name),
        conditional=True,
        max_age=policy.IMMUTABLE_MAX_AGE_S if policy.is_hashed(file.name) else None,
    )
    if policy.is_hashed(file.name):
        response.cache_control.immutable = True
    return response


def _inside(root: Path, relative: str) -> Path | None:
    """Return the regular file ``relative`` names inside ``root``, if any.

    Raises:
        NotFound: the path leaves the build or names a dot file.
    """
    if any(part.startswith(".") for part in relative.split("/") if part):
        raise NotFound()
    joined = safe_join(str(root), relative) if relative else str(root)
    if joined is None:
        raise NotFound()
    path = Path(joined)
    if not path.is_file():
        return None
    if not path.resolve().is_relative_to(root):
        raise NotFound()  # a symbolic link out of the build
    return path


def _index(root: Path) -> Response:
    """Send ``index.html``, never cached unchecked, with the app's CSP.

    Read on every request (it is small): a new build shows without a restart.
    """
    html = (root / INDEX).read_text(encoding="utf-8", errors="replace")
    response = Response(html, mimetype="text/html")
    response.cache_control.no_cache = True
    response.headers["Content-Security-Policy"] = policy.page_policy(html)
    response.add_etag()
    response.make_conditional(request)  # 304 when the browser has this version
    return response
