"""Under gunicorn's gevent worker, waiting on PostgreSQL yields to the other requests.

psycopg cooperates with gevent by itself (3.1.14 and later); the web workers rely on
it. Two greenlets each wait half a second in the database through the app's engine;
if a wait blocked the worker's thread they would take a second together.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_TWO_WAITS = textwrap.dedent(
    """
    from gevent import monkey

    monkey.patch_all()

    import json
    import sys
    import time

    import gevent

    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "LOG_LEVEL": "WARNING"})

    def wait_in_database():
        with app.app_context(), db.engine.connect() as conn:
            conn.execute(db.text("SELECT pg_sleep(0.5)"))

    with app.app_context(), db.engine.connect() as conn:  # connect once, untimed
        conn.execute(db.text("SELECT 1"))
    start = time.perf_counter()
    gevent.joinall([gevent.spawn(wait_in_database) for _ in range(2)], raise_error=True)
    print(json.dumps({"seconds": time.perf_counter() - start}))
    """
)


def test_database_waits_of_two_greenlets_overlap(database_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _TWO_WAITS, database_url],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "test-secret-key-not-for-production"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seconds = json.loads(done.stdout.strip().splitlines()[-1])["seconds"]

    assert 0.5 <= seconds < 0.9
