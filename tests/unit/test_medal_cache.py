"""The overview's medals cache: fresh entries are reused, stale ones recomputed."""

from __future__ import annotations

from collections.abc import Callable

from app.services.dashboard import medal_cache
from app.services.dashboard.medal_cache import TTL_S, cached_medals


def _counting() -> tuple[list[int], Callable[[], dict[int, bool]]]:
    calls: list[int] = []

    def compute() -> dict[int, bool]:
        calls.append(1)
        return {1: len(calls) > 1}

    return calls, compute


def test_medal_cache_reuses_a_fresh_entry() -> None:
    medal_cache.clear()
    calls, compute = _counting()

    first = cached_medals("k", compute, now=100.0)
    again = cached_medals("k", compute, now=100.0 + TTL_S - 1)

    assert first == again == {1: False}
    assert len(calls) == 1


def test_medal_cache_recomputes_after_its_ttl() -> None:
    medal_cache.clear()
    calls, compute = _counting()

    cached_medals("k", compute, now=100.0)
    later = cached_medals("k", compute, now=100.0 + TTL_S)

    assert later == {1: True}
    assert len(calls) == 2


def test_medal_cache_keeps_keys_apart() -> None:
    medal_cache.clear()
    calls, compute = _counting()

    cached_medals(("members", 1), compute, now=0.0)
    cached_medals(("public", 1), compute, now=0.0)

    assert len(calls) == 2
