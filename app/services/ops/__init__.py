"""Ops: running the service rather than serving its domain.

* ``database`` (TimescaleDB edition, schema revision) and ``replica`` (read routing);
* ``job_runs``: leadership and bookkeeping of scheduled jobs across processes;
* ``retention``: dropping expired sample chunks and delivered outbox rows;
* ``cooperative``: CPU-bound calls that must not stall a gevent worker;
* ``analysts``: PostgreSQL roles that read the ``analytics`` schema;
* ``demo``: a realistic demo world, loaded idempotently.
"""
