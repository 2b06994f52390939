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

#: Compiling the statements (75 ms each at 10,000 nodes) costs a steady run more
#: than it saves: each statement's rows are few, or sorted per room.
NO_JIT = text("SET LOCAL jit = off")

#: The node ranges logged since the last run, merged per node, taken out of the log.
TAKE_DIRTY = text(
    """
CREATE TEMP TABLE alert_run_dirty ON COMMIT DROP AS
WITH taken AS (DELETE FROM alert_dirty RETURNING node_id, lo, hi)
SELECT node_id, min(lo) AS lo, max(hi) AS hi FROM taken GROUP BY node_id
"""
)

#: A reporting node (one whose newest sample is this recent) holds its room's
#: evaluation back to that sample, in every run until it sends again, so a node a few
#: minutes behind the others does not make its samples late; one further behind does
#: not hold the room back.
HOLD_BACK_S = 900

#: Whether rule ``r`` covers room ``ro`` of site ``s``: its organization's, and in
#: the site and room it is narrowed to (never NULL: ``s.id`` and ``ro.id`` are set).
_COVERS = """(r.organization_id = s.operator_id
     AND (r.site_id IS NULL OR r.site_id = s.id)
     AND (r.room_id IS NULL OR r.room_id = ro.id))"""

# The (enabled co2 rule, room) pairs this run evaluates and how. A room with new
# samples (installed at their time) or held back last run is evaluated up to its
# horizon: the oldest newest sample among its reporting nodes, whether or not they
# sent in this run (the tallied newest sample of each node installed there at it;
# infinity when none reports: a backfill, or the rest once nothing holds it). A room
# held back stays due (seen_to above evaluated_to) until then. It continues from its state
# (reading only samples after evaluated_to) unless it has none or a new sample is
# at or before evaluated_to (late): then its episodes are recomputed from the raw
# samples back to the earliest new sample, or the start of an alert still open or
# cleared within reach, minus the rule's durations (a run in progress seen whole),
# and, for a room with state (a late sample), further back to the room's last sample
# below the threshold before that (a new rule looks back its durations only): a high
# run going on there that opened nothing yet (outside the active hours, or across a
# gap in the samples) may be longer, and cut it would open late or not at all, with
# a later start and a lower peak.
# A recomputation reads nothing at or before the state's `judged_from`: samples the
# rule's earlier settings judged stay as judged.
# `lo` is the first sample time read (inclusive) in both modes.
CO2_TARGETS = text(
    f"""
CREATE TEMP TABLE alert_run_targets ON COMMIT DROP AS
WITH room_range AS (
    SELECT i.room_id, min(greatest(d.lo, i.from_time)) AS lo, max(d.hi) AS hi
    FROM alert_run_dirty AS d
    JOIN installations AS i
      ON i.node_id = d.node_id AND i.period && tstzrange(d.lo, d.hi, '[]')
    GROUP BY i.room_id
),
pairs AS (
    SELECT r.id AS rule_id, rr.room_id, rr.lo, rr.hi
    FROM room_range AS rr
    JOIN rooms AS ro ON ro.id = rr.room_id
    JOIN sites AS s ON s.id = ro.site_id
    JOIN alert_rules AS r
      ON r.kind = 'co2' AND r.enabled AND {_COVERS}
    UNION ALL
    SELECT st.rule_id, st.room_id, NULL, NULL
    FROM alert_room_state AS st
    JOIN alert_rules AS r ON r.id = st.rule_id AND r.enabled
    WHERE st.seen_to > st.evaluated_to
      AND NOT EXISTS (SELECT 1 FROM alert_run_dirty AS d
                      JOIN installations AS i
                        ON i.node_id = d.node_id
                       AND i.period && tstzrange(d.lo, d.hi, '[]')
                      WHERE i.room_id = st.room_id)
),
modes AS (
    SELECT p.rule_id, p.room_id, p.lo AS new_lo, st.evaluated_to,
           -- never below the state: a late sample's node may be the one holding back
           CASE WHEN h.horizon IS NOT NULL
                THEN greatest(h.horizon, st.evaluated_to) END AS horizon,
           st.run_class, st.run_start, st.run_peak_ppm,
           CASE WHEN h.horizon IS NOT NULL THEN greatest(p.hi, st.seen_to) END
             AS seen_to,
           st.judged_from, st.rule_id IS NOT NULL AS has_state,
           st.rule_id IS NULL OR coalesce(p.lo <= st.evaluated_to, false) AS exact
    FROM pairs AS p
    -- the horizon looked up per pair (two key lookups): joined to the rooms, it was
    -- planned for the 1 room the unanalyzed log promises, a nested loop comparing
    -- every pair with every room (4 s at 10,000 rooms, minutes at 100,000)
    CROSS JOIN LATERAL (
        SELECT min(tl.newest) AS horizon
        FROM installations AS i
        JOIN node_tallies AS tl
          ON tl.node_id = i.node_id AND i.period @> tl.newest
         AND tl.newest >= CAST(:now AS timestamptz) - make_interval(secs => :hold_back_s)
        WHERE i.room_id = p.room_id
    ) AS h
    LEFT JOIN alert_room_state AS st
      ON st.rule_id = p.rule_id AND st.room_id = p.room_id
)
SELECT m.rule_id, m.room_id, m.exact, m.has_state, m.seen_to,
       m.run_class, m.run_start, m.run_peak_ppm,
       coalesce(m.horizon, 'infinity') AS horizon,
       CASE WHEN NOT m.exact THEN m.evaluated_to + INTERVAL '1 microsecond'
            -- never back before the rule's settings last changed
            WHEN m.has_state THEN greatest(
                least(cut.lo, coalesce(run.start, '-infinity')),
                m.judged_from + INTERVAL '1 microsecond')
            ELSE cut.lo END AS lo
FROM modes AS m
JOIN alert_rules AS r ON r.id = m.rule_id
CROSS JOIN LATERAL (
    SELECT make_interval(secs => r.duration_s + r.clear_duration_s) AS span
) AS reach
LEFT JOIN LATERAL (
    SELECT min(a.since) AS since FROM alerts AS a
    WHERE m.exact AND a.rule_id = m.rule_id AND a.room_id = m.room_id
      AND (a.cleared_at IS NULL OR a.cleared_at >= m.new_lo - reach.span)
) AS a ON true
CROSS JOIN LATERAL (SELECT least(m.new_lo, a.since) - reach.span AS lo) AS cut
LEFT JOIN LATERAL (  -- the room's last sample below the threshold before cut.lo
    SELECT max(b.time) AS start
    FROM installations AS i
    CROSS JOIN LATERAL (
        SELECT x.time FROM samples AS x
        WHERE x.node_id = i.node_id AND x.time < cut.lo AND x.time >= i.from_time
          AND (i.to_time IS NULL OR x.time < i.to_time)
          AND x.co2_ppm < r.threshold_ppm
        ORDER BY x.time DESC LIMIT 1
    ) AS b
    WHERE m.exact AND m.has_state AND i.room_id = m.room_id AND i.from_time < cut.lo
) AS run ON true
"""  # noqa: S608  # sql-identifiers: vetted (constant fragments)
)

#: A temporary table has no statistics until analyzed: the runs statement would be
#: planned for one room whether a run has one or 10,000 due.
ANALYZE_TARGETS = text("ANALYZE alert_run_targets")

# The runs of one class (high: at or above the threshold, low: below threshold -
# hysteresis, between) in the samples each target reads up to its horizon, one row
# per run: a continuing room's first run starts with its state's run (a seed point
# at the run's start carrying its peak). Only (rule, room, time, node, ppm, class)
# go through the one window sort; the rules' settings join the runs after it. A
# high run's opened_at is its first sample `duration` into it inside the active
# hours (the test runs only on such samples); a low run's cleared_at its first
# sample `clear_duration` into it.
CO2_RUNS = text(
    """
CREATE TEMP TABLE alert_run_runs ON COMMIT DROP AS
WITH points AS (
    SELECT t.rule_id, t.room_id, p.time, p.installation_id, p.co2_ppm,
           coalesce(p.cls, CASE WHEN p.co2_ppm >= t.high THEN 1
                                WHEN p.co2_ppm < t.low THEN -1 ELSE 0 END) AS cls
    FROM (  -- in (rule, room) order, so the window sorts each room's rows alone
        SELECT t.rule_id, t.room_id, t.exact, t.lo, t.horizon, t.run_class,
               t.run_start, t.run_peak_ppm,
               r.threshold_ppm AS high, r.threshold_ppm - r.hysteresis_ppm AS low
        FROM alert_run_targets AS t JOIN alert_rules AS r ON r.id = t.rule_id
        ORDER BY t.rule_id, t.room_id
    ) AS t
    CROSS JOIN LATERAL (
        SELECT t.run_start AS time, CAST(NULL AS bigint) AS installation_id,
               t.run_peak_ppm AS co2_ppm, t.run_class AS cls
        WHERE NOT t.exact AND t.run_class IS NOT NULL  -- the seed
        UNION ALL
        SELECT s.time, i.id, s.co2_ppm, NULL
        FROM installations AS i
        CROSS JOIN LATERAL (  -- a lateral, so the range bounds the index scan
            SELECT x.time, x.co2_ppm FROM samples AS x
            WHERE x.node_id = i.node_id AND x.time >= greatest(t.lo, i.from_time)
              AND x.time <= t.horizon
              AND (i.to_time IS NULL OR x.time < i.to_time)
            OFFSET 0  -- planned apart: the time bound stays in the index condition
        ) AS s
        WHERE i.room_id = t.room_id AND (i.to_time IS NULL OR i.to_time > t.lo)
    ) AS p
),
changes AS (
    SELECT p.*,
           CASE WHEN cls IS DISTINCT FROM lag(cls) OVER w THEN 1 END AS starts
    FROM points AS p
    WINDOW w AS (PARTITION BY rule_id, room_id ORDER BY time, installation_id)
),
runs AS (  -- numbered: two nodes' runs may start at one time
    SELECT c.rule_id, c.room_id, c.time, c.installation_id, c.co2_ppm, c.cls,
           count(c.starts) OVER w AS run_no,
           max(CASE WHEN c.starts = 1 THEN c.time END) OVER w AS run_start
    FROM changes AS c
    WINDOW w AS (PARTITION BY rule_id, room_id ORDER BY time, installation_id)
)
SELECT u.rule_id, u.room_id, u.run_no, min(u.cls) AS cls, min(u.run_start) AS since,
       max(u.co2_ppm) AS peak_ppm, max(u.time) AS last_time,
       -- the opening sample: the earliest qualifying (time in µs, installation)
       min(ARRAY[CAST(extract(epoch FROM u.time) * 1000000 AS bigint),
                 u.installation_id]) FILTER (
           WHERE u.cls = 1 AND u.time - u.run_start >= r.hold
             AND alert_rule_active(r.active_weekdays, r.active_from, r.active_to,
                                   r.time_zone, u.time)) AS opening,
       min(u.time) FILTER (WHERE u.cls = -1 AND u.time - u.run_start >= r.clear_hold)
         AS cleared_at
FROM runs AS u
JOIN (
    SELECT id, make_interval(secs => duration_s) AS hold,
           make_interval(secs => clear_duration_s) AS clear_hold,
           active_weekdays, active_from, active_to, time_zone
    FROM alert_rules WHERE kind = 'co2'
) AS r ON r.id = u.rule_id
GROUP BY u.rule_id, u.room_id, u.run_no
"""
)

# CO2 episodes: the high runs that opened before one clear (the next clear in
# time order) form one episode; the room's open alert is one more opening (so new
# samples extend or clear it; recomputed, it clears at the next clear even when late
# samples undid the high run that opened it). The installation is the node whose sample
# opened the episode. Its peak is the highest sample from its start to its clear:
# a high run too short to open by itself counts once the episode has begun.
CO2_EPISODES = text(
    """
CREATE TEMP TABLE alert_run_episodes ON COMMIT DROP AS
WITH events AS (
    SELECT rule_id, room_id, TIMESTAMPTZ 'epoch' + opening[1] * INTERVAL '1 microsecond' AS at, since, peak_ppm,
           opening[2] AS installation_id,
           CAST(NULL AS timestamptz) AS cleared_at
    FROM alert_run_runs WHERE cls = 1 AND opening IS NOT NULL
    UNION ALL  -- a high run that opened nothing: its peak only
    SELECT rule_id, room_id, since, NULL, peak_ppm, NULL, NULL
    FROM alert_run_runs WHERE cls = 1 AND opening IS NULL
    UNION ALL
    SELECT rule_id, room_id, cleared_at, NULL, NULL, NULL, cleared_at
    FROM alert_run_runs WHERE cls = -1 AND cleared_at IS NOT NULL
    UNION ALL
    SELECT a.rule_id, a.room_id, a.opened_at, a.since, a.peak_ppm,
           a.installation_id, NULL
    FROM alert_run_targets AS t
    JOIN alerts AS a
      ON a.rule_id = t.rule_id AND a.room_id = t.room_id AND a.cleared_at IS NULL
),
linked AS (
    SELECT e.*,
           min(cleared_at) OVER (PARTITION BY rule_id, room_id ORDER BY at
                                 ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)
             AS next_clear
    FROM events AS e
),
begun AS (
    SELECT l.*,
           min(since) OVER (PARTITION BY rule_id, room_id, next_clear) AS episode_since
    FROM linked AS l
)
SELECT rule_id, room_id, min(since) AS since,
       min(at) FILTER (WHERE since IS NOT NULL) AS opened_at,
       next_clear AS cleared_at, max(peak_ppm) AS peak_ppm,
       (array_agg(installation_id ORDER BY at)
          FILTER (WHERE since IS NOT NULL))[1] AS installation_id
FROM begun
WHERE since IS NOT NULL OR (cleared_at IS NULL AND at >= episode_since)
GROUP BY rule_id, room_id, next_clear
"""
)

# Each evaluated room's state from its newest run (the seed of the next run); a
# room that read nothing up to its horizon keeps its run. `seen_to` stays above
# `evaluated_to` only while a reporting node holds the room back.
SAVE_STATE = text(
    """
WITH last AS (
    SELECT DISTINCT ON (rule_id, room_id) rule_id, room_id, cls, since, peak_ppm,
           max(last_time) OVER (PARTITION BY rule_id, room_id) AS last_time
    FROM alert_run_runs
    ORDER BY rule_id, room_id, run_no DESC
)
INSERT INTO alert_room_state AS st
    (rule_id, room_id, evaluated_to, seen_to, run_class, run_start, run_peak_ppm)
SELECT t.rule_id, t.room_id, coalesce(l.last_time, '-infinity'),
       coalesce(greatest(l.last_time, t.seen_to), '-infinity'),
       l.cls, l.since, l.peak_ppm
FROM alert_run_targets AS t
LEFT JOIN last AS l ON l.rule_id = t.rule_id AND l.room_id = t.room_id
WHERE l.rule_id IS NOT NULL OR t.has_state
ON CONFLICT (rule_id, room_id) DO UPDATE
SET evaluated_to = greatest(st.evaluated_to, excluded.evaluated_to),
    seen_to = greatest(st.evaluated_to, excluded.evaluated_to, excluded.seen_to),
    run_class = CASE WHEN excluded.run_start IS NULL THEN st.run_class
                     ELSE excluded.run_class END,
    run_start = coalesce(excluded.run_start, st.run_start),
    run_peak_ppm = CASE WHEN excluded.run_start IS NULL THEN st.run_peak_ppm
                        ELSE excluded.run_peak_ppm END
"""
)

_OVERLAP = """
a.rule_id = e.rule_id AND a.room_id = e.room_id
AND tstzrange(a.since, a.cleared_at, '[)') && tstzrange(e.since, e.cleared_at, '[)')
"""

# An existing alert takes the (earliest) episode it overlaps: its opening stays, a
# late sample may move its start earlier, clear it, re-open it or raise its peak.
# When late samples join episodes that already have alerts, the episode's alerts
# all stay (each opened once): every one but the last keeps its clear, and the last
# takes the episode on from the clear before it. Returns the alerts cleared by this run.
UPDATE_EPISODES = text(
    f"""
WITH taken AS (
    SELECT DISTINCT ON (a.id) a.id, a.opened_at, a.cleared_at AS was_cleared,
           e.rule_id, e.room_id, e.opened_at AS episode, e.since, e.cleared_at,
           e.peak_ppm
    FROM alert_run_episodes AS e JOIN alerts AS a ON {_OVERLAP}
    ORDER BY a.id, e.since
),
pairs AS (
    SELECT t.id, t.was_cleared,
           greatest(t.since, lag(t.was_cleared) OVER w) AS since,
           CASE WHEN lead(t.id) OVER w IS NULL THEN t.cleared_at
                ELSE t.was_cleared END AS cleared_at,
           CASE WHEN lead(t.id) OVER w IS NULL THEN t.peak_ppm END AS peak_ppm
    FROM taken AS t
    WINDOW w AS (PARTITION BY t.rule_id, t.room_id, t.episode ORDER BY t.opened_at)
),
changed AS (
    UPDATE alerts AS a
    SET since = least(a.since, p.since), cleared_at = p.cleared_at,
        cleared_reason = CASE WHEN p.cleared_at IS NULL THEN NULL
                              WHEN p.cleared_at = a.cleared_at THEN a.cleared_reason
                              ELSE 'recovered' END,
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
# hours, else now if now is (a silence outside the hours waits for them). The last
# sample is the installation's tallied newest one (installation_tallies, kept by
# triggers): one key lookup per node, not a probe of its samples.
OPEN_SILENT = text(
    f"""
WITH targets AS (
    SELECT r.id AS rule_id, ro.id AS room_id, i.id AS installation_id,
           coalesce(tl.newest, i.from_time) AS since,
           coalesce(tl.newest, i.from_time)
             + make_interval(secs => r.duration_s) AS due,
           r.active_weekdays, r.active_from, r.active_to, r.time_zone
    FROM alert_rules AS r
    JOIN sites AS s ON s.operator_id = r.organization_id
    JOIN rooms AS ro ON ro.site_id = s.id AND {_COVERS}
    JOIN installations AS i
      ON i.room_id = ro.id AND i.period @> CAST(:now AS timestamptz)
    LEFT JOIN installation_tallies AS tl ON tl.installation_id = i.id
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
"""  # noqa: S608  # sql-identifiers: vetted (constant fragments)
)

# A silent node's next sample after its alert opened (late ones included) clears the
# alert at that sample. A late sample from before the opening shows that the silence
# began later: the alert (opened once) moves its start there and stays open, so the
# silence since that sample is not announced twice. Only a node whose tallied newest
# sample is after the silence began has either. Returns the alerts it cleared.
CLEAR_SILENT = text(
    """
WITH back AS (
    SELECT a.id, n.time, m.time AS since
    FROM alerts AS a
    JOIN alert_rules AS r ON r.id = a.rule_id AND r.kind = 'silent'
    JOIN installations AS i ON i.id = a.installation_id
    JOIN node_tallies AS tl ON tl.node_id = i.node_id AND tl.newest > a.since
    LEFT JOIN LATERAL (
        SELECT x.time FROM samples AS x
        WHERE x.node_id = i.node_id AND x.time > a.opened_at
        ORDER BY x.time LIMIT 1
    ) AS n ON true
    LEFT JOIN LATERAL (
        SELECT x.time FROM samples AS x
        WHERE x.node_id = i.node_id AND x.time > a.since AND x.time <= a.opened_at
        ORDER BY x.time DESC LIMIT 1
    ) AS m ON true
    WHERE a.cleared_at IS NULL
),
changed AS (
    UPDATE alerts AS a
    SET cleared_at = back.time,
        cleared_reason = CASE WHEN back.time IS NOT NULL THEN 'recovered' END,
        since = coalesce(back.since, a.since)
    FROM back
    WHERE a.id = back.id AND (back.time IS NOT NULL OR back.since IS NOT NULL)
    RETURNING a.id, a.cleared_at
)
SELECT id FROM changed WHERE cleared_at IS NOT NULL
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

# An open alert whose rule no longer covers its room (the rule was disabled, or
# narrowed to other sites or rooms) closes now: nothing would evaluate it again.
# Re-enabled within the rule's reach, an episode still going on re-opens it.
CLOSE_RULE_CHANGED = text(
    f"""
UPDATE alerts AS a
SET cleared_at = greatest(a.opened_at, CAST(:now AS timestamptz)),
    cleared_reason = 'rule_changed'
FROM alert_rules AS r, rooms AS ro, sites AS s
WHERE a.cleared_at IS NULL AND r.id = a.rule_id
  AND ro.id = a.room_id AND s.id = ro.site_id
  AND NOT (r.enabled AND {_COVERS})
RETURNING a.id
"""  # noqa: S608  # sql-identifiers: vetted (constant fragments)
)
