"""The SQL of outbox delivery (bound parameters only; read by ``delivery.py``)."""

from __future__ import annotations

from sqlalchemy import TextClause, text

# Due rows of the enabled publishers; rows another run holds are skipped.
CLAIM = text(
    """
SELECT id, publisher, installation_id, node_id, time
FROM outbox
WHERE delivered_at IS NULL AND parked_at IS NULL
  AND publisher = ANY(:names) AND next_attempt_at <= :now
ORDER BY next_attempt_at, id
LIMIT :limit
FOR UPDATE SKIP LOCKED
"""
)

# Per publisher and installation among the claimed rows, the unsent rows not
# claimed (:claimed): the earliest sample time and when the last of them is due.
WAITING = text(
    """
SELECT publisher, installation_id, min(time) AS first_time,
       max(next_attempt_at) AS due_at
FROM outbox
WHERE delivered_at IS NULL AND parked_at IS NULL
  AND publisher = ANY(:names) AND installation_id = ANY(:installations)
  AND id <> ALL(:claimed)
GROUP BY publisher, installation_id
"""
)

# Claimed rows that wait for older ones: due again with them, not before.
HOLD_BACK = text("UPDATE outbox SET next_attempt_at = :until WHERE id = ANY(:ids)")

# The claimed rows :ids again, after a checkpoint committed and released them:
# those another run took or finished meanwhile are left out.
LOCK_AGAIN = text(
    """
SELECT id FROM outbox
WHERE id = ANY(:ids) AND delivered_at IS NULL AND parked_at IS NULL
FOR UPDATE SKIP LOCKED
"""
)


def delivered(table: str) -> TextClause:
    """Mark the rows :ids of an outbox ``table`` (a constant name) delivered."""
    return text(
        f"UPDATE {table} SET delivered_at = :now, attempts = attempts + 1, "  # noqa: S608  # sql-identifiers: vetted (a constant table name)
        "last_error = NULL WHERE id = ANY(:ids)"
    )


# Back-off doubles per attempt (the exponent is capped so power() cannot overflow);
# the row is parked after the last allowed attempt or for a permanent problem.
# The alerts' outbox (``alert_notifications``) has the same columns and uses it too.
def failed(table: str) -> TextClause:
    """Book a failed attempt of the rows :ids of an outbox ``table`` (a constant)."""
    return text(
        f"""
WITH failed AS (
    UPDATE {table}
    SET attempts = attempts + 1,
        last_error = :error,
        next_attempt_at = :now + make_interval(
            secs => least(:cap, :base * power(2, least(attempts, 30)))),
        parked_at = CASE WHEN :permanent OR attempts + 1 >= :max_attempts
                         THEN :now END
    WHERE id = ANY(:ids)
    RETURNING parked_at
)
SELECT count(*) FILTER (WHERE parked_at IS NOT NULL) FROM failed
"""  # noqa: S608  # sql-identifiers: vetted (a constant table name)
    )


DROP = text("DELETE FROM outbox WHERE id = ANY(:ids)")

# What platforms may learn about the still-public installations among :ids.
INSTALLATIONS = text(
    """
SELECT i.id, i.node_id, n.eui64 AS node_eui64, n.alias AS node_alias,
       o.name AS owner, m.manufacturer, m.trade_name, m.sensor_type,
       r.name AS room_name, r.description AS room_description,
       r.size_sqm AS room_size_sqm, r.height_m AS room_height_m,
       s.name AS site_name, s.description AS site_description,
       a.street1 AS street, a.zip, a.city, a.latitude, a.longitude
FROM installations AS i
JOIN nodes AS n ON n.id = i.node_id
JOIN organizations AS o ON o.id = n.owner_id
JOIN node_models AS m ON m.id = n.model_id
JOIN rooms AS r ON r.id = i.room_id
JOIN sites AS s ON s.id = r.site_id
JOIN addresses AS a ON a.id = s.address_id
WHERE i.id = ANY(:ids) AND i.is_public
"""
)

# The samples of the keys that are still what was queued: their installation's
# public samples alone (the enqueue rule, checked again: an installation ended,
# moved to another node or overlapped by another since loses them). One index
# probe per key (the lateral keeps the planner off a hash join that would scan
# every chunk of the hypertable).
SAMPLES = text(
    """
SELECT k.installation_id, s.node_id, s.time, s.co2_ppm, s.temperature_celsius,
       s.rel_humidity_percent
FROM unnest(CAST(:installations AS bigint[]), CAST(:nodes AS uuid[]),
            CAST(:times AS timestamptz[])) AS k(installation_id, node_id, time)
JOIN installations AS i
  ON i.id = k.installation_id AND i.node_id = k.node_id
 AND i.period @> k.time AND i.is_public
CROSS JOIN LATERAL (
    SELECT * FROM samples
    WHERE samples.node_id = k.node_id AND samples.time = k.time
) AS s
WHERE NOT EXISTS (
    SELECT 1 FROM installations AS j
    WHERE j.node_id = k.node_id AND j.id <> i.id AND j.period @> k.time
)
"""
)


def status(table: str, key: str, first: str, alias: str) -> TextClause:
    """Delivery counts of an outbox ``table`` per ``key`` (publisher, channel).

    ``alias`` names the earliest ``first`` (a time column) of the pending rows.
    """
    return text(
        f"""
SELECT {key},
       count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered,
       count(*) FILTER (WHERE delivered_at IS NULL AND parked_at IS NULL) AS pending,
       count(*) FILTER (WHERE delivered_at IS NULL AND parked_at IS NULL
                          AND attempts > 0) AS retrying,
       count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked,
       min({first}) FILTER (WHERE delivered_at IS NULL
                              AND parked_at IS NULL) AS {alias}
FROM {table}
GROUP BY {key}
ORDER BY {key}
"""  # noqa: S608  # sql-identifiers: vetted (constant table and column names)
    )


STATUS = status("outbox", "publisher", "created_at", "oldest_pending")

RETRY_PARKED = text(
    """
UPDATE outbox
SET parked_at = NULL, attempts = 0, next_attempt_at = now()
WHERE parked_at IS NOT NULL
  AND (CAST(:publisher AS text) IS NULL OR publisher = :publisher)
"""
)

PARKED = text(
    """
SELECT id, publisher, installation_id, time, attempts, parked_at, last_error
FROM outbox
WHERE parked_at IS NOT NULL
ORDER BY parked_at DESC, id DESC
LIMIT :limit
"""
)
