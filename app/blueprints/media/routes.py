"""Uploaded media (installation photos), served when ``MEDIA_URL`` is a path."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, send_from_directory
from flask.typing import ResponseReturnValue

blp = Blueprint("media", __name__)


def serve_media(filename: str) -> ResponseReturnValue:
    """Send one stored file (404 when absent; no directory listing)."""
    return send_from_directory(
        current_app.config["MEDIA_ROOT"], filename, max_age=86400
    )


def register_media(app: Flask) -> None:
    """Serve ``MEDIA_URL`` from ``MEDIA_ROOT`` when the URL is a local path."""
    prefix: str = app.config["MEDIA_URL"]
    if prefix.startswith("/"):
        app.add_url_rule(
            f"{prefix}<path:filename>", "media.serve", serve_media, methods=["GET"]
        )
