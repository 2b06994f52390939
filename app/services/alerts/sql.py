"""The SQL of the alert evaluation (bound parameters only; read by ``evaluate.py``).

One statement per rule kind covers every room: no loop over rooms in Python.
"""

from __future__ import annotations

from sqlalchemy import text

#: Evaluations take turns: a second jobs process (or ``run-once``) waits here
#: and then finds the log empty and the alerts already open.
LOCK = text("SELECT pg_advisory_xact_lock(hashtext('airq:alerts-evaluate'))")

#: The window sorts of a catch-up run fit in memory instead of spilling to disk.
WORK_MEM = text("SET LOCAL work_mem = '64MB'")

#: The node ranges logged since the last run, merged per node, taken out of the log.
TAKE_DIRTY = text(
    """
CREATE TEMP TABLE alert_run_dirty ON COMMIT DROP AS
WITH taken AS (DELETE FROM alert_dirty RETURNING node_id, lo, hi)
SELECT node_id, min(lo) AS lo, max(hi) AS hi FROM taken GROUP BY node_id
"""
)

# CO2 episodes of every (enabled co2 rule, room with new samples) pair, recomputed
# from the raw samples of the affected range: from the earliest new sample, or the
# start of an alert still open or cleared within reach, back by the rule's
# durations (so a run in progress is seen whole). Samples are classed high (at or
# above the threshold), low (below threshold - hysteresis) or between; a run of one
# class starts where the class changes (one window ordering for all of it). A high
# run opens an
# episode at its first sample that is `duration` into the run and inside the active
# hours; a low run clears at its first sample `clear_duration` into it. The high
# runs before one clear (the next clear in time order) form one episode.
# Openings and clears come out of one aggregation over the runs, so the per-sample
# rows are not materialized for two readers, and the active-hours test runs only on
# samples already `duration` into a high run (10,000 nodes, fresh day: 33 s -> 24 s).
CO2_EPISODES = text(
    """
CREATE TEMP TABLE alert_run_episodes ON COMMIT DROP AS
WITH room_range AS (
    SELECT i.room_id, min(greatest(d.lo, i.from_time)) AS lo
    FROM alert_run_dirty AS d
    JOIN installations AS i
      ON i.node_id = d.node_id AND i.period && tstzrange(d.lo, d.hi, '[]')
    GROUP BY i.room_id
),
targets AS (
    SELECT r.id AS rule_id, rr.room_id, r.threshold_ppm AS high,
           r.threshold_ppm - r.hysteresis_ppm AS low,
           make_interval(secs => r.duration_s) AS hold,
           make_interval(secs => r.clear_duration_s) AS clear_hold,
           r.active_weekdays, r.active_from, r.active_to, r.time_zone,
           least(rr.lo, a.since)
             - make_interval(secs => r.duration_s + r.clear_duration_s) AS lo
    FROM room_range AS rr
    JOIN rooms AS ro ON ro.id = rr.room_id
    JOIN sites AS s ON s.id = ro.site_id
    JOIN alert_rules AS r
      ON r.kind = 'co2' AND r.enabled AND r.organization_id = s.operator_id
     AND (r.site_id IS NULL OR r.site_id = s.id)
     AND (r.room_id IS NULL OR r.room_id = ro.id)
    CROSS JOIN LATERAL (
        SELECT min(a.since) AS since FROM alerts AS a
        WHERE a.rule_id = r.id AND a.room_id = rr.room_id
          AND (a.cleared_at IS NULL OR a.cleared_at >= rr.lo
               - make_interval(secs => r.duration_s + r.clear_duration_s))
    ) AS a
),
points AS (
    SELECT t.rule_id, t.room_id, t.hold, t.clear_hold, t.active_weekdays,
           t.active_from, t.active_to, t.time_zone,
           i.id AS installation_id, s.time, s.co2_ppm,
           CASE WHEN s.co2_ppm >= t.high THEN 1
                WHEN s.co2_ppm < t.low THEN -1 ELSE 0 END AS cls
    FROM targets AS t
    JOIN installations AS i
      ON i.room_id = t.room_id AND (i.to_time IS NULL OR i.to_time > t.lo)
    CROSS JOIN LATERAL (  -- a lateral, so the range bounds the index scan
        SELECT x.time, x.co2_ppm FROM samples AS x
        WHERE x.node_id = i.node_id AND x.time >= greatest(t.lo, i.from_time)
          AND (i.to_time IS NULL OR x.time < i.to_time)
        OFFSET 0  -- planned apart: the time bound stays in the index condition
    ) AS s
),
changes AS (
    SELECT p.*,
           CASE WHEN cls IS DISTINCT FROM lag(cls) OVER w THEN 1 ELSE 0 END AS starts
    FROM points AS p
    WINDOW w AS (PARTITION BY rule_id, room_id ORDER BY time, installation_id)
),
runs AS (
    SELECT c.*,
           max(CASE WHEN starts = 1 THEN time END) OVER w AS run_start
    FROM changes AS c
    WINDOW w AS (PARTITION BY rule_id, room_id ORDER BY time, installation_id)
),
grouped AS (
    SELECT rule_id, room_id, cls, run_start AS since, max(co2_ppm) AS peak_ppm,
           min(time) FILTER (WHERE qualifies) AS opened_at,
           (array_agg(installation_id ORDER BY time)
              FILTER (WHERE qualifies))[1] AS installation_id,
           min(time) FILTER (WHERE cls = -1 AND time - run_start >= clear_hold)
             AS cleared_at
    FROM (
        SELECT r.rule_id, r.room_id, r.cls, r.run_start, r.time, r.co2_ppm,
               r.installation_id, r.clear_hold,
               r.cls = 1 AND CASE WHEN r.time - r.run_start >= r.hold
                   THEN alert_rule_active(r.active_weekdays, r.active_from,
                                          r.active_to, r.time_zone, r.time)
                   ELSE false END AS qualifies
        FROM runs AS r WHERE r.cls <> 0
    ) AS classed
    GROUP BY rule_id, room_id, run_start, cls
),
events AS (
    SELECT rule_id, room_id, opened_at AS at, since, peak_ppm, installation_id,
           CAST(NULL AS timestamptz) AS cleared_at
    FROM grouped WHERE cls = 1 AND opened_at IS NOT NULL
    UNION ALL
    SELECT rule_id, room_id, cleared_at, NULL, NULL, NULL, cleared_at
    FROM grouped WHERE cls = -1 AND cleared_at IS NOT NULL
),
linked AS (
    SELECT e.*,
           min(cleared_at) OVER (PARTITION BY rule_id, room_id ORDER BY at
                                 ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
             AS next_clear
    FROM events AS e
)
SELECT rule_id, room_id, min(since) AS since, min(at) AS opened_at,
       next_clear AS cleared_at, max(peak_ppm) AS peak_ppm,
       (array_agg(installation_id ORDER BY at))[1] AS installation_id
FROM linked
WHERE since IS NOT NULL
GROUP BY rule_id, room_id, next_clear
"""
)

_OVERLAP = """
a.rule_id = e.rule_id AND a.room_id = e.room_id
AND tstzrange(a.since, a.cleared_at, '[)') && tstzrange(e.since, e.cleared_at, '[)')
"""

# An existing alert takes the (earliest) episode it overlaps: its opening stays, a
# late sample may move its start earlier, clear it, re-open it or raise its peak.
# Returns the alerts cleared by this run.
UPDATE_EPISODES = text(
    f"""
WITH pairs AS (
    SELECT DISTINCT ON (a.id) a.id, a.cleared_at AS was_cleared,
           e.since, e.cleared_at, e.peak_ppm
    FROM alert_run_episodes AS e JOIN alerts AS a ON {_OVERLAP}
    ORDER BY a.id, e.since
),
changed AS (
    UPDATE alerts AS a
    SET since = least(a.since, p.since), cleared_at = p.cleared_at,
        cleared_reason = CASE WHEN p.cleared_at IS NOT NULL THEN 'recovered' END,
        peak_ppm = greatest(a.peak_ppm, p.peak_ppm)
    FROM pairs AS p
    WHERE a.id = p.id
      AND (a.since, a.cleared_at, a.peak_ppm) IS DISTINCT FROM
          (least(a.since, p.since), p.cleared_at, greatest(a.peak_ppm, p.peak_ppm))
    RETURNING a.id, p.was_cleared, a.cleared_at
)
SELECT id FROM changed WHERE was_cleared IS NULL AND cleared_at IS NOT NULL
"""  # noqa: S608  # sql-identifiers: vetted (constant fragments)
)

# An episode no alert overlaps opens one; the unique key keeps it single.
INSERT_EPISODES = text(
    f"""
INSERT INTO alerts
    (rule_id, room_id, installation_id, since, opened_at, cleared_at, cleared_reason,
     peak_ppm)
SELECT e.rule_id, e.room_id, e.installation_id, e.since, e.opened_at,
       e.cleared_at, CASE WHEN e.cleared_at IS NOT NULL THEN 'recovered' END,
       e.peak_ppm
FROM alert_run_episodes AS e
WHERE NOT EXISTS (SELECT 1 FROM alerts AS a WHERE {_OVERLAP})
ON CONFLICT (rule_id, room_id, opened_at) DO NOTHING
RETURNING id, cleared_at IS NOT NULL AS cleared
"""  # noqa: S608  # sql-identifiers: vetted (constant fragments)
)

# Every installed node of a silence rule's scope that sent nothing for the rule's
# duration opens an alert: at last sample + duration if that is inside the active
# hours, else now if now is (a silence outside the hours waits for them).
OPEN_SILENT = text(
    """
WITH targets AS (
    SELECT r.id AS rule_id, ro.id AS room_id, i.id AS installation_id,
           coalesce(last.time, i.from_time) AS since,
           coalesce(last.time, i.from_time)
             + make_interval(secs => r.duration_s) AS due,
           r.active_weekdays, r.active_from, r.active_to, r.time_zone
    FROM alert_rules AS r
    JOIN sites AS s
      ON s.operator_id = r.organization_id AND (r.site_id IS NULL OR r.site_id = s.id)
    JOIN rooms AS ro
      ON ro.site_id = s.id AND (r.room_id IS NULL OR r.room_id = ro.id)
    JOIN installations AS i
      ON i.room_id = ro.id AND i.period @> CAST(:now AS timestamptz)
    LEFT JOIN LATERAL (
        SELECT x.time FROM samples AS x
        WHERE x.node_id = i.node_id AND x.time >= i.from_time
        ORDER BY x.time DESC LIMIT 1
    ) AS last ON true
    WHERE r.kind = 'silent' AND r.enabled
),
due AS (
    SELECT t.*,
           CASE WHEN alert_rule_active(t.active_weekdays, t.active_from,
                                       t.active_to, t.time_zone, t.due) THEN t.due
                WHEN alert_rule_active(t.active_weekdays, t.active_from,
                                       t.active_to, t.time_zone, :now) THEN :now
           END AS opened_at
    FROM targets AS t
    WHERE t.due <= :now
)
INSERT INTO alerts (rule_id, room_id, installation_id, since, opened_at)
SELECT d.rule_id, d.room_id, d.installation_id, d.since, d.opened_at
FROM due AS d
WHERE d.opened_at IS NOT NULL
  AND NOT EXISTS (
      SELECT 1 FROM alerts AS a
      WHERE a.rule_id = d.rule_id AND a.installation_id = d.installation_id
        AND a.since = d.since
  )
ON CONFLICT (rule_id, room_id, opened_at) DO NOTHING
RETURNING id
"""
)

# A silent node's next sample (late ones included) clears its alert at that sample.
CLEAR_SILENT = text(
    """
WITH back AS (
    SELECT a.id, n.time
    FROM alerts AS a
    JOIN alert_rules AS r ON r.id = a.rule_id AND r.kind = 'silent'
    JOIN installations AS i ON i.id = a.installation_id
    CROSS JOIN LATERAL (
        SELECT x.time FROM samples AS x
        WHERE x.node_id = i.node_id AND x.time > a.since
        ORDER BY x.time LIMIT 1
    ) AS n
    WHERE a.cleared_at IS NULL
)
UPDATE alerts AS a
SET cleared_at = back.time, cleared_reason = 'recovered'
FROM back
WHERE a.id = back.id
RETURNING a.id
"""
)

# A silence alert whose node left the room (its installation ended, or was deleted)
# closes at the end of the installation (or now): the node will not come back there.
# Runs after CLEAR_SILENT, so a node that did send before leaving clears by its sample.
CLOSE_UNINSTALLED = text(
    """
WITH gone AS (
    SELECT a.id, greatest(a.opened_at, least(coalesce(i.to_time, :now), :now)) AS at
    FROM alerts AS a
    JOIN alert_rules AS r ON r.id = a.rule_id AND r.kind = 'silent'
    LEFT JOIN installations AS i ON i.id = a.installation_id
    WHERE a.cleared_at IS NULL AND (i.id IS NULL OR i.to_time <= :now)
)
UPDATE alerts AS a
SET cleared_at = gone.at, cleared_reason = 'uninstalled'
FROM gone
WHERE a.id = gone.id
RETURNING a.id
"""
)
