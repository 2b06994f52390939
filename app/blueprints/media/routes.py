"""Uploaded media (installation photos), served when ``MEDIA_URL`` is a path.

A photo is served only to callers who may see its installation (404 otherwise,
as for an invisible installation). Photos of public installations may sit in
shared caches for an hour; the others are ``private, no-cache``: the browser
keeps them but asks again (a cheap 304) each time, so a caller who loses access
(log-out, membership ended) stops getting them at once.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, send_from_directory
from flask.typing import ResponseReturnValue

from app.authn import current_actor
from app.extensions import db
from app.services.inventory import photos

#: Seconds shared caches may keep a public installation's photo (how long it may
#: still be served from a cache after the installation is made private).
PUBLIC_MAX_AGE_S = 3600


def serve_media(filename: str) -> ResponseReturnValue:
    """Send one stored photo to a caller who may see its installation."""
    public = photos.require_visible_photo(db.session(), current_actor(), filename)
    response = send_from_directory(
        current_app.config["MEDIA_ROOT"], filename, max_age=PUBLIC_MAX_AGE_S
    )
    if not public:
        _keep_private(response)
    return response


def _keep_private(response: Response) -> None:
    """Replace ``send_file``'s public caching: the browser's cache only, revalidated."""
    response.cache_control.public = False
    response.cache_control.max_age = None
    response.expires = None
    response.cache_control.private = True
    response.cache_control.no_cache = True
    response.vary.update(("Cookie", "Authorization"))


def register_media(app: Flask) -> None:
    """Serve ``MEDIA_URL`` from ``MEDIA_ROOT`` when the URL is a local path."""
    prefix: str = app.config["MEDIA_URL"]
    if prefix.startswith("/"):
        app.add_url_rule(
            f"{prefix}<path:filename>", "media.serve", serve_media, methods=["GET"]
        )
