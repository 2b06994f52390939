"""A small single-page app build, written by the tests that serve it as ``DASHBOARD_DIR``.

It looks like como-ui's ``vite build --base=/dashboard/``: an ``index.html`` with an
inline script and a module script, a content-hashed asset under ``assets/``, and
an unhashed file from ``public/``. The script writes the route it was opened at,
whether the inline script ran and the status of an API call into ``#app``.
"""

from __future__ import annotations

from pathlib import Path

ASSET = "assets/index-3f2a1b.js"
INLINE = "window.__inlineRan = true;"
SCRIPT = """\
const app = document.getElementById("app");
app.textContent = "Build route " + location.pathname;
app.dataset.inline = String(window.__inlineRan === true);
fetch("/api/v1/").then((r) => { app.dataset.api = String(r.status); });
"""
INDEX = f"""\
<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <link rel="icon" href="/dashboard/favicon.ico">
    <title>Test build</title>
    <script>{INLINE}</script>
    <script type="module" crossorigin src="/dashboard/{ASSET}"></script>
  </head>
  <body><div id="app">not started</div></body>
</html>
"""
#: A file beside the build that must never be served.
SECRET = "secret.txt"


def write_build(folder: Path) -> Path:
    """Write the build into ``folder/dist`` (and a secret beside it); return ``dist``."""
    dist = folder / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX, encoding="utf-8")
    (dist / ASSET).write_text(SCRIPT, encoding="utf-8")
    (dist / "favicon.ico").write_bytes(b"\x00\x00\x01\x00")
    (dist / ".env").write_text("SECRET_KEY=do-not-serve\n", encoding="utf-8")
    (folder / SECRET).write_text("do not serve\n", encoding="utf-8")
    return dist
