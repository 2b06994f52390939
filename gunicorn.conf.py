"""gunicorn settings: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Workers are gevent workers (``WEB_WORKER_CLASS``, default ``gevent``): each
connection is a greenlet, which yields while it waits for the client or the
database (psycopg cooperates with gevent by itself). Under gthread a request went
from the event loop to a pool thread and back: two thread switches, a wake-up
pipe and half a dozen more system calls. In paired runs on two cores, gevent
workers answered 18 % more single-sample ingests per second (median ratio).
Slow clients cost a greenlet, not one of a few threads. ``WEB_WORKER_CLASS=gthread``
(with ``WEB_THREADS``) is the fallback for code that must not be monkey-patched.

CPU-bound work that releases the GIL (password hashing) runs on the hub's thread
pool (:mod:`app.services.ops.cooperative`), so it does not stall the worker's other
requests.

Workers share Prometheus metrics through ``PROMETHEUS_MULTIPROC_DIR``; a dead
worker's live gauges are dropped.

Requests beyond gunicorn's limits (request line, number and size of header fields;
its defaults, spelt out below) are answered by gunicorn itself: 414 or 431, as
JSON:API error documents like every other error (:mod:`app.worker_errors`).
"""

import logging
import os
from typing import Any

from gunicorn.glogging import Logger

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = os.environ.get("WEB_WORKER_CLASS", "gevent")
worker_connections = int(os.environ.get("WEB_WORKER_CONNECTIONS", "1000"))
threads = int(os.environ.get("WEB_THREADS", "4"))  # gthread only
timeout = int(os.environ.get("WEB_TIMEOUT_S", "60"))
graceful_timeout = 20
keepalive = 5
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 4094  # bytes of method, path, query string and version: else 414
limit_request_fields = 100  # header fields: else 431
limit_request_field_size = 8190  # bytes of one header field: else 431


class LevelAwareLogger(Logger):
    """gunicorn's logger, which builds an access line only if ``LOG_LEVEL`` keeps it.

    gunicorn formats every request's log atoms before the logging level drops the
    line: 8 % of a worker's Python time under single-sample ingest at
    ``LOG_LEVEL=WARNING``.
    """

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        """Log the request unless ``gunicorn.access`` is above INFO (set from LOG_LEVEL)."""
        if self.access_log.isEnabledFor(logging.INFO):
            super().access(resp, req, environ, request_time)


logger_class = LevelAwareLogger


def child_exit(server: object, worker: object) -> None:
    """Tell the Prometheus client that a worker process is gone."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


#: New container objects between two young garbage collections in a worker.
YOUNG_COLLECTION_AFTER = 50_000


def post_worker_init(worker: object) -> None:
    """Answer gunicorn's own errors as JSON:API; freeze the loaded app.

    gunicorn writes HTML for the requests it refuses itself (``app.worker_errors``).

    The app leaves ~210,000 long-lived objects; a full collection walked them all in
    ~130 ms, once every few hundred requests, inside whichever request set it off.
    Frozen, they are never scanned again (``gc.freeze``), so no request pays for them.

    Young collections run after :data:`YOUNG_COLLECTION_AFTER` new container objects
    instead of Python's 700: an installation detail with a month of samples holds
    8,640 row tuples while it builds its answer, and every young collection walked
    those alive (about 25 per request). Paired in one process (4 runs of 150-200
    requests, gevent, frozen app): 0.6-1.4 ms less per detail (of 16-28).
    """
    import gc

    from app import worker_errors

    worker_errors.install()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_AFTER, *gc.get_threshold()[1:])
