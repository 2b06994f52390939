"""Which build files are content-hashed, their content types and the page's CSP."""

from __future__ import annotations

import base64
import hashlib

import pytest

from app.dashboard_dir import policy


@pytest.mark.parametrize(
    "name",
    [
        "index-3f2a1b.js",  # the example
        "index.3f2a1b4c.js",  # Vite 2, como-ui's build
        "app.3f2a1b4c.css",  # webpack (Vue CLI, Quasar)
        "index-BQ8kJ2aZ.js",  # Vite 5: base64url
        "vendor-Bq-8kJ2a.js",  # base64url with a dash inside
        "logo.82b9c7a5.png",
    ],
)
def test_is_hashed_names_with_a_content_hash(name: str) -> None:
    assert policy.is_hashed(name)


@pytest.mark.parametrize(
    "name",
    [
        "index.html",
        "favicon.ico",
        "robots.txt",
        "android-chrome-192x192.png",
        "apple-touch-icon.png",
        "company-background.png",
        "site.webmanifest",
        "cafe-facade.png",  # hex letters, no digit
        "feature-overview.svg",
    ],
)
def test_is_hashed_refuses_plain_names(name: str) -> None:
    assert not policy.is_hashed(name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("index-3f2a1b.js", "text/javascript"),
        ("chunk.mjs", "text/javascript"),
        ("index.3f2a1b4c.css", "text/css"),
        ("index.js.map", "application/json"),
        ("font.woff2", "font/woff2"),
        ("manifest.webmanifest", "application/manifest+json"),
        ("blob.unknownext", "application/octet-stream"),
    ],
)
def test_content_type_by_extension(name: str, expected: str) -> None:
    assert policy.content_type(name) == expected


def test_page_policy_allows_inline_scripts_by_hash_only() -> None:
    html = "<html><script>\r\nrun();\r\n</script><script src='/x.js'></script></html>"
    digest = base64.b64encode(hashlib.sha256(b"\nrun();\n").digest()).decode()

    csp = policy.page_policy(html)

    directives = dict(d.split(" ", 1) for d in csp.split("; "))
    assert directives["script-src"] == f"'self' 'sha256-{digest}'"
    assert "unsafe" not in directives["script-src"]
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_page_policy_without_inline_scripts_is_self_only() -> None:
    csp = policy.page_policy("<html><script src='/dashboard/a.js'></script></html>")

    assert "script-src 'self';" in csp
