"""Outbox: public samples handed on to IoT data platforms.

* ``enqueue``: stored public samples queued in the ingest's own transaction;
* ``delivery`` + ``queries``: the job that claims due rows, sends them and books
  the outcome;
* ``publishers``: the platforms (openSenseMap, Stadtpuls, webhook), by name;
* ``admin``: what operators see and do (counts, retrying parked rows).
"""
