"""``DASHBOARD_DIR``: a single-page app's build served at ``/dashboard/``.

Files as they are with their content types, a year of ``immutable`` caching for
content-hashed names, ``no-cache`` for ``index.html``, history-mode fallback to
``index.html`` for paths without an extension, 404 for missing files and for
every way out of the build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flask import Flask
from flask.testing import FlaskClient

from app.dashboard_dir import policy
from config import ConfigError
from tests.support.refusals import assert_page_refused
from tests.support.spa_build import ASSET, INDEX, SCRIPT, write_build

YEAR = "max-age=31536000"


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """The test build on disk."""
    return write_build(tmp_path)


@pytest.fixture
def spa(make_app: Callable[..., Flask], build: Path) -> FlaskClient:
    """A client of an app serving the test build."""
    return make_app(DASHBOARD_DIR=str(build)).test_client()


def _cache(resp: Any) -> set[str]:
    return {part.strip() for part in resp.headers.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/index.html"])
def test_dashboard_dir_index_is_no_cache_with_the_apps_csp(
    spa: FlaskClient, path: str
) -> None:
    resp = spa.get(path)

    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    assert resp.get_data(as_text=True) == INDEX
    assert _cache(resp) == {"no-cache"}
    assert resp.headers["Content-Security-Policy"] == policy.page_policy(INDEX)
    assert "'sha256-" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert (
        spa.get(path, headers={"If-None-Match": resp.headers["ETag"]}).status_code
        == 304
    )


@pytest.mark.parametrize(
    "path",
    ["/dashboard/3/installation/17", "/dashboard/org-management", "/dashboard/assets"],
)
def test_dashboard_dir_paths_without_extension_fall_back_to_index(
    spa: FlaskClient, path: str
) -> None:
    resp = spa.get(path)

    assert resp.status_code == 200
    assert resp.get_data(as_text=True) == INDEX
    assert _cache(resp) == {"no-cache"}


def test_dashboard_dir_hashed_asset_is_immutable_for_a_year(spa: FlaskClient) -> None:
    with spa.get(f"/dashboard/{ASSET}") as resp:
        body = resp.get_data(as_text=True)

    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert body == SCRIPT
    assert _cache(resp) == {"public", YEAR, "immutable"}


def test_dashboard_dir_unhashed_file_is_revalidated(spa: FlaskClient) -> None:
    with spa.get("/dashboard/favicon.ico") as resp:
        etag = resp.headers["ETag"]
    with spa.get("/dashboard/favicon.ico", headers={"If-None-Match": etag}) as again:
        pass

    assert resp.status_code == 200
    assert resp.mimetype == "image/vnd.microsoft.icon"
    assert _cache(resp) == {"no-cache"}
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path", ["/dashboard/assets/index-000000.js", "/dashboard/missing.css"]
)
def test_dashboard_dir_missing_file_with_extension_is_404(
    spa: FlaskClient, path: str
) -> None:
    resp = spa.get(path)

    assert resp.status_code == 404
    assert "Test build" not in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/../secret.txt",
        "/dashboard/%2e%2e/secret.txt",
        "/dashboard/assets/../../secret.txt",
        "/dashboard/.env",
        "/dashboard//etc/passwd",
    ],
)
def test_dashboard_dir_refuses_paths_out_of_the_build(
    spa: FlaskClient, path: str
) -> None:
    resp = spa.get(path)

    assert resp.status_code == 404
    body = resp.get_data(as_text=True)
    assert "do not serve" not in body
    assert "do-not-serve" not in body
    assert "root:" not in body


def test_dashboard_dir_symlink_out_of_the_build_is_404(
    spa: FlaskClient, build: Path
) -> None:
    (build / "leak.txt").symlink_to(build.parent / "secret.txt")

    assert_page_refused(lambda: spa.get("/dashboard/leak.txt"), 404, unchanged=())


def test_dashboard_dir_without_slash_redirects_to_the_build(spa: FlaskClient) -> None:
    resp = spa.get("/dashboard?lang=de")

    assert resp.status_code == 308
    assert resp.location == "/dashboard/?lang=de"


def test_dashboard_dir_refuses_writes(spa: FlaskClient) -> None:
    resp = spa.post("/dashboard/")

    assert resp.status_code == 405
    assert set(resp.headers["Allow"].split(", ")) == {"GET", "HEAD"}


def test_dashboard_dir_leaves_other_paths_alone(spa: FlaskClient) -> None:
    assert spa.get("/api/v1/").status_code == 200
    assert "Test build" not in spa.get("/").get_data(as_text=True)


def test_dashboard_dir_without_index_stops_start_up(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="DASHBOARD_DIR"):
        make_app(DASHBOARD_DIR=str(tmp_path))
