"""Password hashing under gevent runs off the event loop; elsewhere it is a plain call.

The gevent cases run in a child process: monkey-patching cannot be undone in the
test process.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from app.services.accounts import passwords
from app.services.ops import cooperative

ROOT = Path(__file__).resolve().parents[3]

# A greenlet ticks every 2 ms while another hashes and verifies passwords. If the
# hashing held the worker's only thread, no tick would fall inside it.
_TICKER = textwrap.dedent(
    """
    from gevent import monkey

    monkey.patch_all()

    import json
    import time

    import gevent

    from app.services.ops import cooperative
    from app.services.accounts import passwords

    ticks = []

    def ticker():
        while True:
            ticks.append(time.perf_counter())
            gevent.sleep(0.002)

    gevent.spawn(ticker)
    gevent.sleep(0.02)
    start = time.perf_counter()
    stored = passwords.hash_password("correct horse battery")
    right = passwords.verify_password(stored, "correct horse battery")
    wrong = passwords.verify_password(stored, "wrong horse battery")
    django = passwords.verify_password(
        "pbkdf2_sha256$600000$salt$" + "x" * 44, "anything"
    )
    end = time.perf_counter()
    inside = [t for t in ticks if start < t < end]
    gaps = [b - a for a, b in zip(inside, inside[1:])]
    print(json.dumps({
        "patched": cooperative.gevent_patched(),
        "right": right,
        "wrong": wrong,
        "django": django,
        "seconds": end - start,
        "ticks": len(inside),
        "max_gap": max(gaps, default=end - start),
    }))
    """
)


def test_outside_gevent_the_call_is_made_in_place() -> None:
    assert cooperative.gevent_patched() is False
    assert cooperative.off_the_loop(divmod, 7, 3) == (2, 1)
    stored = passwords.hash_password("correct horse battery")
    assert passwords.verify_password(stored, "correct horse battery")
    assert not passwords.verify_password(stored, "wrong horse battery")


def test_under_gevent_hashing_leaves_the_other_greenlets_running() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _TICKER],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])

    assert result["patched"] is True
    assert "Traceback" not in done.stderr  # a wrong password is no unhandled error
    assert (result["right"], result["wrong"], result["django"]) == (True, False, False)
    # Two argon2 verifications, a hash and 600,000 PBKDF2 rounds: far over 50 ms.
    assert result["seconds"] > 0.05
    assert result["ticks"] >= 10
    assert result["max_gap"] < result["seconds"] / 3
