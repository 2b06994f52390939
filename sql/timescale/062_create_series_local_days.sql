-- Apache edition: samples_1d_local, the local days of series_day_zone() (060), kept by
-- series_refresh(). Applied by migration 0011 after 060; safe to re-run.
--
-- Columns and meaning as samples_1d (050), but a bucket is one local day in the zone
-- (23 or 25 hours on DST days), its start the local midnight. Built from samples_10m,
-- so it is exact for every zone whose UTC offsets are whole multiples of 10 minutes
-- (all but a few, such as Asia/Kathmandu); readers check that per request.
--
-- How it stays fresh, layered on the refresh of 052 (which is left as it was):
--  * the level has its own watermark, a local midnight: it is complete for the days
--    that end at or before it, whoever refreshed what;
--  * statement triggers on samples_10m log the local days of the 10-minute buckets that
--    series_refresh() rewrites below that watermark (late samples, corrections) in
--    samples_1d_local_dirty;
--  * series_refresh_local_days() recomputes the logged days, then advances the watermark
--    towards the last local midnight at or before the 10-minute level's watermark, in
--    bounded steps (the first refresh after the upgrade fills the whole history);
--  * series_refresh() (052's function, renamed series_refresh_levels) now runs both in
--    one transaction and reports the local days it wrote as rows_1d_local.

CREATE TABLE IF NOT EXISTS samples_1d_local (LIKE samples_10m INCLUDING DEFAULTS);

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'pk_samples_1d_local') THEN
        ALTER TABLE samples_1d_local ADD CONSTRAINT pk_samples_1d_local
            PRIMARY KEY (node_id, bucket)
            INCLUDE (co2_count, co2_sum, co2_min, co2_max,
                     temperature_count, temperature_sum, temperature_min, temperature_max,
                     humidity_count, humidity_sum, humidity_min, humidity_max);
    END IF;
END $$;

SELECT create_hypertable('samples_1d_local', 'bucket',
                         chunk_time_interval => INTERVAL '1092 days',
                         if_not_exists => TRUE, create_default_indexes => FALSE);

-- One row: samples_1d_local is complete below this local midnight ('-infinity' first).
CREATE TABLE IF NOT EXISTS samples_1d_local_watermark (
    singleton boolean DEFAULT TRUE CHECK (singleton),
    watermark timestamptz NOT NULL DEFAULT '-infinity',
    refreshed_at timestamptz,
    CONSTRAINT pk_samples_1d_local_watermark PRIMARY KEY (singleton)
);
INSERT INTO samples_1d_local_watermark DEFAULT VALUES ON CONFLICT DO NOTHING;

-- Local days (node, local midnight) whose 10-minute buckets were rewritten below the
-- watermark; read whole by series_refresh_local_days().
CREATE TABLE IF NOT EXISTS samples_1d_local_dirty (
    node_id uuid NOT NULL,
    day timestamptz NOT NULL
);

CREATE OR REPLACE FUNCTION series_local_log_rows() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_zone text := series_day_zone();
BEGIN
    -- Days at or above the watermark need no log: the advance computes them.
    INSERT INTO samples_1d_local_dirty (node_id, day)
    SELECT DISTINCT c.node_id, time_bucket(INTERVAL '1 day', c.bucket, v_zone)
    FROM changed_rows c
    WHERE c.bucket < (SELECT w.watermark FROM samples_1d_local_watermark w)
      AND v_zone IS NOT NULL;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION series_local_forget_all() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE samples_1d_local, samples_1d_local_dirty;
    UPDATE samples_1d_local_watermark SET watermark = '-infinity', refreshed_at = NULL;
    RETURN NULL;
END
$$;

-- series_refresh() only inserts and deletes 10-minute buckets.
CREATE OR REPLACE TRIGGER series_local_log_insert
    AFTER INSERT ON samples_10m REFERENCING NEW TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION series_local_log_rows();

CREATE OR REPLACE TRIGGER series_local_log_delete
    AFTER DELETE ON samples_10m REFERENCING OLD TABLE AS changed_rows
    FOR EACH STATEMENT EXECUTE FUNCTION series_local_log_rows();

CREATE OR REPLACE TRIGGER series_local_forget_all
    AFTER TRUNCATE ON samples_10m
    FOR EACH STATEMENT EXECUTE FUNCTION series_local_forget_all();

-- Recompute the logged days, then advance the watermark towards the last local midnight
-- at or before the 10-minute level's watermark, by at most p_max_span (at least one day)
-- per call. Returns the days written and whether the level is still behind (call again).
-- Runs in the caller's transaction under the series refresh lock.
CREATE OR REPLACE FUNCTION series_refresh_local_days(p_max_span interval DEFAULT NULL)
RETURNS TABLE (days_written bigint, behind boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_zone text := series_day_zone();
    w_old timestamptz;
    w_target timestamptz;
    w_new timestamptz;
    v_start timestamptz;
    v_node uuid[];
    v_day timestamptz[];
    n bigint;
    total bigint := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('airq.series_refresh'));
    IF v_zone IS NULL THEN
        RETURN QUERY SELECT 0::bigint, false;
        RETURN;
    END IF;
    SELECT w.watermark INTO w_old FROM samples_1d_local_watermark w FOR UPDATE;

    -- 1. Logged days below the watermark.
    WITH taken AS (
        DELETE FROM samples_1d_local_dirty d RETURNING d.node_id, d.day
    )
    SELECT array_agg(t.node_id), array_agg(t.day) INTO v_node, v_day
    FROM (SELECT DISTINCT t.node_id, t.day FROM taken t WHERE t.day < w_old) t;

    IF v_node IS NOT NULL THEN
        DELETE FROM samples_1d_local a
        USING unnest(v_node, v_day) AS g(node_id, day)
        WHERE a.node_id = g.node_id AND a.bucket = g.day;
        -- A local day is at most 25 hours long; 26 bounds the index range.
        INSERT INTO samples_1d_local
        SELECT a.node_id, g.day,
               sum(a.co2_count)::bigint, sum(a.co2_sum), min(a.co2_min), max(a.co2_max),
               sum(a.temperature_count)::bigint, sum(a.temperature_sum),
               min(a.temperature_min), max(a.temperature_max),
               sum(a.humidity_count)::bigint, sum(a.humidity_sum),
               min(a.humidity_min), max(a.humidity_max)
        FROM unnest(v_node, v_day) AS g(node_id, day)
        JOIN samples_10m a
          ON a.node_id = g.node_id AND a.bucket >= g.day
         AND a.bucket < g.day + INTERVAL '26 hours'
         AND time_bucket(INTERVAL '1 day', a.bucket, v_zone) = g.day
        GROUP BY a.node_id, g.day;
        GET DIAGNOSTICS n = ROW_COUNT;
        total := total + n;
    END IF;

    -- 2. Advance the watermark.
    SELECT time_bucket(INTERVAL '1 day', s.watermark, v_zone) INTO w_target
    FROM samples_watermark s
    WHERE isfinite(s.watermark);
    IF isfinite(w_old) THEN
        v_start := w_old;
    ELSE
        -- First refresh: start at the local day of the oldest 10-minute bucket, found
        -- in the oldest chunk alone.
        SELECT time_bucket(INTERVAL '1 day', min(a.bucket), v_zone) INTO v_start
        FROM samples_10m a
        WHERE a.bucket < (
            SELECT min(c.range_end)
            FROM timescaledb_information.chunks c
            WHERE c.hypertable_name = 'samples_10m'
              AND (quote_ident(c.hypertable_schema) || '.samples_10m')::regclass
                  = 'samples_10m'::regclass);
        v_start := coalesce(v_start, w_target);
    END IF;
    w_new := w_target;
    IF p_max_span IS NOT NULL THEN
        w_new := least(w_new, time_bucket(INTERVAL '1 day',
                                          v_start + greatest(p_max_span, INTERVAL '2 days'),
                                          v_zone));
    END IF;
    IF w_new > v_start THEN
        DELETE FROM samples_1d_local a WHERE a.bucket >= v_start AND a.bucket < w_new;
        INSERT INTO samples_1d_local
        SELECT a.node_id, time_bucket(INTERVAL '1 day', a.bucket, v_zone),
               sum(a.co2_count)::bigint, sum(a.co2_sum), min(a.co2_min), max(a.co2_max),
               sum(a.temperature_count)::bigint, sum(a.temperature_sum),
               min(a.temperature_min), max(a.temperature_max),
               sum(a.humidity_count)::bigint, sum(a.humidity_sum),
               min(a.humidity_min), max(a.humidity_max)
        FROM samples_10m a
        WHERE a.bucket >= v_start AND a.bucket < w_new
        GROUP BY 1, 2;
        GET DIAGNOSTICS n = ROW_COUNT;
        total := total + n;
        UPDATE samples_1d_local_watermark SET watermark = w_new, refreshed_at = now();
    END IF;
    RETURN QUERY SELECT total, coalesce(w_new < w_target, false);
END
$$;

-- series_refresh(): 052's refresh of samples_10m / _1h / _1d, then the local days, in
-- one transaction; the same arguments and columns, plus rows_1d_local and
-- local_days_behind (the local days need another call even if the rest is caught up).
DO $$
BEGIN
    IF to_regprocedure('series_refresh_levels(timestamptz, interval, integer)') IS NULL THEN
        ALTER FUNCTION series_refresh(timestamptz, interval, integer)
            RENAME TO series_refresh_levels;
    END IF;
END $$;
DROP FUNCTION IF EXISTS series_refresh(timestamptz, interval, integer);

CREATE FUNCTION series_refresh(
    p_until timestamptz DEFAULT NULL,
    p_max_span interval DEFAULT NULL,
    p_max_dirty integer DEFAULT NULL
) RETURNS TABLE (
    watermark_before timestamptz,
    watermark_after timestamptz,
    target timestamptz,
    dirty_taken bigint,
    dirty_left bigint,
    rows_10m bigint,
    rows_1h bigint,
    rows_1d bigint,
    rows_1d_local bigint,
    local_days_behind boolean
)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    l record;
BEGIN
    SELECT * INTO r FROM series_refresh_levels(p_until, p_max_span, p_max_dirty);
    SELECT * INTO l FROM series_refresh_local_days(p_max_span);
    RETURN QUERY SELECT r.watermark_before, r.watermark_after, r.target, r.dirty_taken,
                        r.dirty_left, r.rows_10m, r.rows_1h, r.rows_1d,
                        l.days_written, l.behind;
END
$$;

-- series_watermark() of 050, knowing '1d_local' too.
CREATE OR REPLACE FUNCTION series_watermark(level text) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN level = '1d_local' THEN (SELECT w.watermark FROM samples_1d_local_watermark w)
        WHEN NOT isfinite(s.watermark) THEN s.watermark
        WHEN level = '10m' THEN time_bucket(INTERVAL '10 minutes', s.watermark)
        WHEN level = '1h' THEN time_bucket(INTERVAL '1 hour', s.watermark)
        WHEN level = '1d' THEN time_bucket(INTERVAL '1 day', s.watermark)
        ELSE '-infinity'::timestamptz
    END
    FROM samples_watermark s
$$;
