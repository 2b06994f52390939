"""CPU-bound calls that must not stall a gevent worker's other requests.

Under gunicorn's gevent worker all requests of a worker share one thread. A call
that computes for a while (an argon2 hash takes tens of milliseconds) would hold
every other greenlet of the worker for that long, although the call releases the
GIL. :func:`off_the_loop` runs such a call on the gevent hub's native thread pool
and lets the calling greenlet wait cooperatively; anywhere else (gthread workers,
the jobs process, the CLI, tests) it simply calls the function.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def gevent_patched() -> bool:
    """Tell whether this process runs under gevent's monkey-patching."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("threading"))


def off_the_loop(fn: Callable[..., T], *args: Any) -> T:
    """Return ``fn(*args)``, computed on a native thread when under gevent.

    Only for functions that release the GIL while they compute (C extensions
    such as argon2 or ``hashlib``); pure-Python work would gain nothing. An
    exception of ``fn`` is raised here, in the caller, and only here: gevent's
    pool would also print it to stderr as an unhandled error (a traceback for
    every mistyped password).
    """
    if not gevent_patched():
        return fn(*args)
    import gevent

    outcome: _Outcome[T] = gevent.get_hub().threadpool.apply(_run, (fn, args))
    if outcome.error is not None:
        raise outcome.error
    return outcome.value  # type: ignore[return-value]


@dataclass(frozen=True)
class _Outcome(Generic[T]):
    value: T | None = None
    error: Exception | None = None


def _run(fn: Callable[..., T], args: tuple[Any, ...]) -> _Outcome[T]:
    try:
        return _Outcome(value=fn(*args))
    except Exception as exc:  # handed to the caller, which raises it
        return _Outcome(error=exc)
