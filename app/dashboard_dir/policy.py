"""What a build file is: content-hashed or not, its content type, the page's CSP.

Kept free of Flask so the rules are plain functions with unit tests.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
from html.parser import HTMLParser

#: A year: the longest lifetime caches honour; a hashed name never changes content.
IMMUTABLE_MAX_AGE_S = 365 * 24 * 3600

# ``index-3f2a1b.js``, ``index.3f2a1b4c.js`` (Vite 2, webpack), ``index-BQ8kJ2aZ.js``
# (Vite 5 / rollup 4, base64url): a hash of hex digits with at least one digit,
# or 8 base64url characters with a digit or a capital after the first one.
_HASHED = re.compile(r"[.-](?P<hash>[0-9a-f]{6,32}|[A-Za-z0-9_-]{8})\.[A-Za-z0-9]+$")

#: Content types of the files a build holds, fixed here rather than taken from the
#: machine's ``/etc/mime.types``, which differs between hosts and images.
CONTENT_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".wasm": "application/wasm",
    ".txt": "text/plain",
}

_POLICY = (
    "default-src 'self'",
    "script-src 'self'{hashes}",
    # Chart libraries and UI kits insert <style> elements at run time (Chart.js 2's
    # size monitor, Quasar); styles cannot run code, scripts stay strict.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)


def is_hashed(name: str) -> bool:
    """Tell whether a file name carries a content hash (and so never changes)."""
    found = _HASHED.search(name)
    if found is None:
        return False
    digest = found["hash"]
    if re.fullmatch(r"[0-9a-f]+", digest):
        return any(c.isdigit() for c in digest)
    return any(c.isdigit() for c in digest) or any(c.isupper() for c in digest[1:])


def content_type(name: str) -> str:
    """Return the content type of a build file by its extension."""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    known = CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0]
    return known or "application/octet-stream"


class _InlineScripts(HTMLParser):
    """Collects the text of every ``<script>`` without ``src``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._current = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._current is not None:
            self.scripts.append("".join(self._current))
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current.append(data)


def inline_script_hashes(html: str) -> list[str]:
    """Return the CSP source (``'sha256-...'``) of each inline script of ``html``.

    Browsers hash a script's text after turning CR LF and CR into LF.
    """
    parser = _InlineScripts()
    parser.feed(html)
    parser.close()
    hashes = []
    for text in parser.scripts:
        normal = text.replace("\r\n", "\n").replace("\r", "\n")
        digest = hashlib.sha256(normal.encode("utf-8")).digest()
        hashes.append(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return hashes


def page_policy(html: str) -> str:
    """Return the Content-Security-Policy of the app's ``index.html``.

    Everything from the app's own origin (scripts, styles, images, fonts, API
    calls); the build's inline scripts by their SHA-256, so no ``'unsafe-inline'``
    and no ``'unsafe-eval'`` for scripts; no framing, plugins or foreign forms.
    """
    hashes = "".join(f" {h}" for h in dict.fromkeys(inline_script_hashes(html)))
    return "; ".join(_POLICY).format(hashes=hashes)
