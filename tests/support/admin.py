"""The back office's URLs, generated from the app's Admin instance."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask

from app.admin import EXTENSION

#: A value for each URL variable the views use (the views answer before using it).
SAMPLE_ARGS = {
    "int": "1",
    "uuid": str(uuid.UUID(int=1)),
    "default": "x",
}
NAMED_ARGS = {
    "node_id": SAMPLE_ARGS["uuid"],
    "export_type": "csv",
    "job_id": "retention",
}


@dataclass(frozen=True)
class AdminUrl:
    """One exposed URL of one admin view, with a sample for its variables."""

    endpoint: str
    method: str
    path: str
    json: bool

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _fill(rule: str) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if name in NAMED_ARGS:
            return NAMED_ARGS[name]
        return SAMPLE_ARGS.get(converter or "default", SAMPLE_ARGS["default"])

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, rule)


def admin_urls(app: Flask) -> Iterator[AdminUrl]:
    """Yield every URL and method that any view registered on the app's Admin exposes."""
    admin = app.extensions[EXTENSION]
    for view in admin._views:
        for url, name, methods in view._urls:
            for method in sorted(set(methods) - {"HEAD", "OPTIONS"}):
                yield AdminUrl(
                    endpoint=f"{view.endpoint}.{name}",
                    method=method,
                    path=_fill(view.url.rstrip("/") + url),
                    json=name in view.json_methods,
                )
