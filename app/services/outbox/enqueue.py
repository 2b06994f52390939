"""Enqueue stored public samples for the enabled publishers (set-based, same transaction)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

# A sample is forwarded when it falls in exactly one installation of its node and
# that installation is public (Managair's rule, §7.2). `keys` is a relation of
# (node_id, time) pairs the caller has just stored: a temporary table or a CTE name.
_ENQUEUE = """
INSERT INTO outbox (publisher, installation_id, node_id, time)
SELECT p.publisher, i.id, k.node_id, k.time
FROM {keys} AS k
JOIN installations AS i
  ON i.node_id = k.node_id AND i.period @> k.time AND i.is_public
CROSS JOIN unnest(CAST(:publishers AS text[])) AS p(publisher)
WHERE NOT EXISTS (
    SELECT 1 FROM installations AS j
    WHERE j.node_id = k.node_id AND j.id <> i.id AND j.period @> k.time
)
ON CONFLICT (publisher, node_id, time) DO NOTHING
"""


def enqueue_stored(session: Session, keys: str, publishers: Sequence[str]) -> int:
    """Queue the public samples among ``keys`` for every publisher in ``publishers``.

    Args:
        session: the ingest transaction's session (the rows commit with the samples).
        keys: name of a relation with columns ``node_id``, ``time`` that the caller
            created (never user input: it is interpolated into the SQL).
        publishers: names of the enabled publishers; nothing happens when empty.

    Returns:
        How many outbox rows were written.
    """
    if not publishers:
        return 0
    if not keys.isidentifier():
        raise ValueError(f"not a relation name: {keys!r}")
    result = session.execute(
        text(_ENQUEUE.format(keys=keys)),  # sql-identifiers: vetted (an identifier)
        {"publishers": list(publishers)},
    )
    return int(getattr(result, "rowcount", 0) or 0)
