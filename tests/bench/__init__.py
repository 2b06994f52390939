"""Benchmarks run by ``make bench`` (``python -m tests.bench``); not part of pytest."""
