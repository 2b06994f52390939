-- Apache edition: series_refresh(), the incremental refresh of the downsampled series
-- (samples_10m / _1h / _1d, then the local days samples_1d_local), and its two steps
-- series_refresh_levels() and series_refresh_local_days(). Current definition, applied
-- by migration 0008 and re-applied by each migration that changes it (CREATE OR
-- REPLACE). Called by the series refresh service (the jobs process and
-- `flask series refresh`); it may equally be scheduled with pg_cron:
-- SELECT * FROM series_refresh();
--
-- One call, in the caller's transaction, under an advisory lock (one refresh at a time):
--  1. takes the logged writes (samples_dirty) and recomputes every bucket they touched
--     below the current watermark: 10m from raw samples, then 1h from 10m, 1d from 1h;
--  2. advances the watermark to the last complete 10-minute bucket before p_until
--     (default now()), by at most p_max_span, computing the new buckets the same way;
--  3. does the same for the local days (series_refresh_local_days(); nothing before
--     migration 0009 has created them).
-- The UTC months (samples_1mo, migration 0016) are folded from the days in steps 1 and
-- 2, below the month of the watermark; skipped when the table does not exist.
-- Log entries above the watermark need no work: the advance computes those buckets
-- from raw samples, and the entries are as visible as the samples they describe.
-- Log entries below samples_retention.dropped_before (migration 0014; raw chunks that
-- retention dropped) are ignored: their raw samples are gone, and recomputing the
-- buckets from what is left would empty the aggregates retention keeps.
-- Returns what it did, so callers can report progress and loop until caught up.

CREATE OR REPLACE FUNCTION series_refresh(
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

-- The UTC levels, finest first: each is folded from the one before it (10m from the raw
-- samples). The one list the refresh walks, so that a level is added in one place.
CREATE OR REPLACE FUNCTION series_levels()
RETURNS TABLE (relation text, width interval, source text)
LANGUAGE sql IMMUTABLE AS $$
    VALUES ('samples_10m', INTERVAL '10 minutes', 'samples'),
           ('samples_1h', INTERVAL '1 hour', 'samples_10m'),
           ('samples_1d', INTERVAL '1 day', 'samples_1h'),
           ('samples_1mo', INTERVAL '1 month', 'samples_1d')
$$;

-- Recompute the buckets of one level from its source: per node over the ranges
-- [p_lo[i], p_hi[i]) of p_node[i], or, with p_node NULL, every node over
-- [p_lo[1], p_hi[1]). Deletes the buckets first, so buckets whose samples are gone
-- vanish. The ranges must be aligned to the level's width. Returns the rows written.
-- One function for every level and both refresh steps: the SQL differs only in the
-- tables, and raw samples are counted where stored buckets are summed.
CREATE OR REPLACE FUNCTION series_rebuild_level(
    p_relation text,
    p_width interval,
    p_source text,
    p_node uuid[],
    p_lo timestamptz[],
    p_hi timestamptz[]
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_time text := CASE WHEN p_source = 'samples' THEN 'time' ELSE 'bucket' END;
    v_values text := CASE WHEN p_source = 'samples' THEN
        'count(s.co2_ppm), sum(s.co2_ppm::double precision),
         min(s.co2_ppm), max(s.co2_ppm),
         count(s.temperature_celsius), sum(s.temperature_celsius::double precision),
         min(s.temperature_celsius), max(s.temperature_celsius),
         count(s.rel_humidity_percent), sum(s.rel_humidity_percent::double precision),
         min(s.rel_humidity_percent), max(s.rel_humidity_percent)'
    ELSE
        'sum(s.co2_count)::bigint, sum(s.co2_sum), min(s.co2_min), max(s.co2_max),
         sum(s.temperature_count)::bigint, sum(s.temperature_sum),
         min(s.temperature_min), max(s.temperature_max),
         sum(s.humidity_count)::bigint, sum(s.humidity_sum),
         min(s.humidity_min), max(s.humidity_max)'
    END;
    n bigint;
BEGIN
    IF p_node IS NULL THEN
        EXECUTE format('DELETE FROM %I a WHERE a.bucket >= $1[1] AND a.bucket < $2[1]',
                       p_relation)
        USING p_lo, p_hi;
        EXECUTE format(
            'INSERT INTO %1$I SELECT s.node_id, time_bucket($3, s.%3$I), %4$s
             FROM %2$I s WHERE s.%3$I >= $1[1] AND s.%3$I < $2[1] GROUP BY 1, 2',
            p_relation, p_source, v_time, v_values)
        USING p_lo, p_hi, p_width;
    ELSE
        EXECUTE format(
            'DELETE FROM %I a USING unnest($1, $2, $3) AS g(node_id, lo, hi)
             WHERE a.node_id = g.node_id AND a.bucket >= g.lo AND a.bucket < g.hi',
            p_relation)
        USING p_node, p_lo, p_hi;
        EXECUTE format(
            'INSERT INTO %1$I SELECT s.node_id, time_bucket($4, s.%3$I), %4$s
             FROM unnest($1, $2, $3) AS g(node_id, lo, hi)
             JOIN %2$I s ON s.node_id = g.node_id AND s.%3$I >= g.lo AND s.%3$I < g.hi
             GROUP BY 1, 2',
            p_relation, p_source, v_time, v_values)
        USING p_node, p_lo, p_hi, p_width;
    END IF;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- The ranges of the next coarser level that hold the given ranges of a finer one
-- (merged per node), cut off at the coarse bucket of p_watermark: buckets at and above
-- it are computed by the watermark's advance, not here.
CREATE OR REPLACE FUNCTION series_coarser_ranges(
    p_node uuid[],
    p_lo timestamptz[],
    p_hi timestamptz[],
    p_fine interval,
    p_coarse interval,
    p_watermark timestamptz,
    OUT node uuid[],
    OUT lo timestamptz[],
    OUT hi timestamptz[]
)
LANGUAGE sql STABLE AS $$
    SELECT array_agg(h.node_id), array_agg(lower(h.r)), array_agg(upper(h.r))
    FROM (
        SELECT x.node_id, x.r * tstzrange(NULL, time_bucket(p_coarse, p_watermark)) AS r
        FROM (
            SELECT g.node_id,
                   unnest(range_agg(tstzrange(
                       time_bucket(p_coarse, g.lo),
                       time_bucket(p_coarse, g.hi - p_fine) + p_coarse))) AS r
            FROM unnest(p_node, p_lo, p_hi) AS g(node_id, lo, hi)
            GROUP BY g.node_id
        ) x
    ) h
    WHERE NOT isempty(h.r)
$$;

-- Steps 1 and 2: the UTC levels (series_levels(); the months only where their table
-- exists).
CREATE OR REPLACE FUNCTION series_refresh_levels(
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
    rows_1d bigint
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    w_old timestamptz;
    w_new timestamptz;
    v_target timestamptz;
    v_start timestamptz;
    v_node uuid[];
    v_lo timestamptz[];
    v_hi timestamptz[];
    v_level record;
    v_finer interval;
    i integer;
    n_taken bigint := 0;
    v_rows bigint[] := ARRAY[0, 0, 0, 0];
    v_kept timestamptz := '-infinity';
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('airq.series_refresh'));
    SELECT s.watermark INTO w_old FROM samples_watermark s FOR UPDATE;
    IF to_regclass('samples_retention') IS NOT NULL THEN
        SELECT r.dropped_before INTO v_kept FROM samples_retention r;
    END IF;
    v_target := time_bucket(INTERVAL '10 minutes', coalesce(p_until, now()));

    -- 1. Logged writes below the watermark, merged into disjoint 10-minute ranges.
    WITH taken AS (
        DELETE FROM samples_dirty d
        WHERE d.ctid = ANY (ARRAY(
            SELECT x.ctid FROM samples_dirty x ORDER BY x.lo LIMIT p_max_dirty))
        RETURNING d.node_id, d.lo, d.hi
    ), merged AS (
        SELECT t.node_id,
               unnest(range_agg(tstzrange(
                   time_bucket(INTERVAL '10 minutes', t.lo),
                   time_bucket(INTERVAL '10 minutes', t.hi) + INTERVAL '10 minutes'))) AS r
        FROM taken t
        WHERE t.lo < w_old
        GROUP BY t.node_id
    ), clipped AS (
        SELECT m.node_id,
               m.r * tstzrange(time_bucket(INTERVAL '10 minutes',
                                           v_kept + INTERVAL '10 minutes' - INTERVAL '1 microsecond'),
                               w_old) AS r
        FROM merged m
    )
    SELECT (SELECT count(*) FROM taken),
           array_agg(c.node_id), array_agg(lower(c.r)), array_agg(upper(c.r))
    INTO n_taken, v_node, v_lo, v_hi
    FROM clipped c
    WHERE NOT isempty(c.r);

    -- Each level's buckets holding those ranges, below its watermark bucket.
    i := 0;
    FOR v_level IN SELECT * FROM series_levels() LOOP
        EXIT WHEN v_node IS NULL OR to_regclass(v_level.relation) IS NULL;
        i := i + 1;
        IF i > 1 THEN
            SELECT * INTO v_node, v_lo, v_hi
            FROM series_coarser_ranges(v_node, v_lo, v_hi, v_finer, v_level.width, w_old);
            EXIT WHEN v_node IS NULL;
        END IF;
        v_rows[i] := v_rows[i] + series_rebuild_level(
            v_level.relation, v_level.width, v_level.source, v_node, v_lo, v_hi);
        v_finer := v_level.width;
    END LOOP;

    -- 2. Advance the watermark.
    IF isfinite(w_old) THEN
        v_start := w_old;
    ELSE
        -- First refresh: start at the day of the oldest chunk (no sample is older).
        SELECT time_bucket(INTERVAL '1 day', min(c.range_start)) INTO v_start
        FROM timescaledb_information.chunks c
        WHERE c.hypertable_name = 'samples'
          AND (quote_ident(c.hypertable_schema) || '.samples')::regclass = 'samples'::regclass;
        v_start := coalesce(v_start, v_target);
    END IF;
    w_new := v_target;
    IF p_max_span IS NOT NULL THEN
        w_new := least(w_new, time_bucket(INTERVAL '10 minutes', v_start + p_max_span));
    END IF;

    IF w_new > v_start THEN
        i := 0;
        FOR v_level IN SELECT * FROM series_levels() LOOP
            EXIT WHEN to_regclass(v_level.relation) IS NULL;
            i := i + 1;
            v_rows[i] := v_rows[i] + series_rebuild_level(
                v_level.relation, v_level.width, v_level.source, NULL,
                ARRAY[time_bucket(v_level.width, v_start)],
                ARRAY[time_bucket(v_level.width, w_new)]);
        END LOOP;
    ELSE
        w_new := greatest(w_old, v_start);
    END IF;

    UPDATE samples_watermark SET watermark = w_new, refreshed_at = now();

    RETURN QUERY SELECT w_old, w_new, v_target, n_taken,
                        (SELECT count(*) FROM samples_dirty), v_rows[1], v_rows[2], v_rows[3];
END
$$;

-- Step 3: recompute the logged local days, then advance the watermark towards the last
-- local midnight at or before the 10-minute level's watermark, by at most p_max_span
-- (at least one day) per call. Returns the days written and whether the level is still behind (call again).
-- Runs in the caller's transaction under the series refresh lock.
CREATE OR REPLACE FUNCTION series_refresh_local_days(p_max_span interval DEFAULT NULL)
RETURNS TABLE (days_written bigint, behind boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_zone text;
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
    IF to_regclass('samples_1d_local_watermark') IS NOT NULL THEN
        v_zone := series_day_zone();
    END IF;
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
