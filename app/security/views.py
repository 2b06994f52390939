"""Flags on views (functions, ``MethodView`` classes or their methods)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request

F = TypeVar("F", bound=Callable[..., Any])

CSRF_EXEMPT = "_airq_csrf_exempt"
TAKES_REFRESH_TOKEN = "_airq_takes_refresh_token"  # noqa: S105  # a flag name
TAKES_ANY_BEARER = "_airq_takes_any_bearer"


def flag(name: str) -> Callable[[F], F]:
    """Return a decorator that sets the flag ``name`` on a view and returns it."""

    def mark(view: F) -> F:
        setattr(view, name, True)
        return view

    return mark


def current_view_has(name: str) -> bool:
    """Tell whether the view that serves this request carries the flag ``name``."""
    endpoint = request.endpoint
    view = current_app.view_functions.get(endpoint) if endpoint else None
    if view is None:
        return False
    if getattr(view, name, False):
        return True
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return False
    method = getattr(view_class, request.method.lower(), None)
    return bool(getattr(view_class, name, False) or getattr(method, name, False))
