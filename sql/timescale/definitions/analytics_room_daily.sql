-- Daily figures per room, with the air-quality metrics of the API's daily table
-- (GET /api/v1/rooms/<id>/airquality/...?include_days=true, Managair §6.2 with its
-- defects fixed). Current definition, applied by migration 0007 and re-applied by each
-- migration that changes it (CREATE OR REPLACE).
--
-- The grid rule is the one of app/services/airquality/grid.py: grid points every
-- 10 minutes from each local midnight; a point is covered when the last sample at
-- or before it and the first sample at or after it are at most 30 minutes apart,
-- and takes their linear interpolation (a sample exactly on the point counts when
-- another sample lies within 30 minutes of it). Samples are reduced to 10-minute
-- buckets with their first and last sample, which is all the rule needs. Each node
-- of the room gets its own grid and the room's value at a point is the highest of
-- its nodes' values (a point is missing only when every node misses it); a sample
-- that comes through two installations of its node in the room (one ended the
-- instant the next began) counts once, as in the API.
-- The constants (600 s, 1800 s, 1500 ppm, 3600 s) are those of
-- app/services/airquality/rules.py. Every common table expression is NOT
-- MATERIALIZED so that a filter on room_id reaches the samples.

CREATE OR REPLACE VIEW analytics.room_daily AS
WITH zone AS NOT MATERIALIZED (
    SELECT z.tz FROM analytics.analysis_zone AS z  -- the local time zone
),
readings AS NOT MATERIALIZED (
    -- each sample of a node in a room once, also where two installations touch
    SELECT DISTINCT ON (s.room_id, s.node_id, s.time)
        s.organization_id,
        s.site_id,
        s.room_id,
        s.node_id,
        s.time,
        s.co2_ppm,
        s.temperature_celsius,
        s.rel_humidity_percent
    FROM public.analytics_installation_samples AS s
),
buckets AS NOT MATERIALIZED (
    SELECT
        x.organization_id,
        x.site_id,
        x.room_id,
        x.node_id,
        x.bucket,
        count(*) AS n,
        min(x.time) AS first_time,
        CAST(first(x.co2_ppm, x.time) AS double precision) AS first_co2,
        max(x.time) AS last_time,
        CAST(last(x.co2_ppm, x.time) AS double precision) AS last_co2,
        sum(x.co2_ppm) AS co2_sum,
        min(x.co2_ppm) AS co2_min,
        max(x.co2_ppm) AS co2_max,
        sum(x.temperature_celsius) AS temperature_sum,
        count(x.temperature_celsius) AS temperature_n,
        sum(x.rel_humidity_percent) AS rel_humidity_sum,
        count(x.rel_humidity_percent) AS rel_humidity_n
    FROM (
        SELECT
            r.*,
            time_bucket(
                INTERVAL '10 minutes',
                r.time,
                CAST(CAST(r.time AT TIME ZONE z.tz AS date)
                     AS timestamp) AT TIME ZONE z.tz
            ) AS bucket
        FROM readings AS r
        CROSS JOIN zone AS z
    ) AS x
    GROUP BY x.organization_id, x.site_id, x.room_id, x.node_id, x.bucket
),
days AS NOT MATERIALIZED (
    SELECT
        organization_id,
        site_id,
        room_id,
        CAST(bucket AT TIME ZONE z.tz AS date) AS day,
        sum(n) AS sample_count,
        min(co2_min) AS co2_min_ppm,
        max(co2_max) AS co2_max_ppm,
        CAST(sum(co2_sum) AS double precision) / sum(n) AS co2_sample_mean_ppm,
        CAST(sum(temperature_sum) / nullif(sum(temperature_n), 0) AS double precision)
            AS temperature_mean_celsius,
        CAST(sum(rel_humidity_sum) AS double precision) / nullif(sum(rel_humidity_n), 0)
            AS rel_humidity_mean_percent
    FROM buckets
    CROSS JOIN zone AS z
    GROUP BY organization_id, site_id, room_id, day
),
node_days AS NOT MATERIALIZED (
    -- a node's grid point can only be covered on a day with a sample of it
    SELECT DISTINCT room_id, node_id, CAST(bucket AT TIME ZONE z.tz AS date) AS day
    FROM buckets
    CROSS JOIN zone AS z
),
marks AS NOT MATERIALIZED (
    SELECT d.room_id, d.node_id, d.day, m.t
    FROM node_days AS d
    CROSS JOIN zone AS z
    CROSS JOIN LATERAL generate_series(
        CAST(d.day AS timestamp) AT TIME ZONE z.tz,
        CAST(d.day + 1 AS timestamp) AT TIME ZONE z.tz
            - INTERVAL '10 minutes',
        INTERVAL '10 minutes'
    ) AS m (t)
),
neighbours AS NOT MATERIALIZED (
    SELECT
        m.room_id,
        m.day,
        m.t,
        CAST(extract(epoch FROM m.t) AS double precision) AS e,
        b.n,
        CAST(extract(epoch FROM b.first_time) AS double precision) AS first_e,
        b.first_co2,
        max(CASE WHEN b.n IS NOT NULL THEN ARRAY[
                CAST(extract(epoch FROM b.last_time) AS double precision), b.last_co2] END)
            OVER (PARTITION BY m.room_id, m.node_id ORDER BY m.t
                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_pt,
        min(CASE WHEN b.n IS NOT NULL THEN ARRAY[
                CAST(extract(epoch FROM b.first_time) AS double precision), b.first_co2] END)
            OVER (PARTITION BY m.room_id, m.node_id ORDER BY m.t DESC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS next_pt,
        min(CASE WHEN b.n IS NOT NULL THEN
                CAST(extract(epoch FROM b.first_time) AS double precision) END)
            OVER (PARTITION BY m.room_id, m.node_id ORDER BY m.t DESC
                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS after_e
    FROM marks AS m
    LEFT JOIN buckets AS b
      ON b.room_id = m.room_id AND b.node_id = m.node_id AND b.bucket = m.t
),
node_grid AS NOT MATERIALIZED (
    SELECT
        room_id,
        day,
        t,
        CASE
            WHEN first_e = e THEN
                CASE
                    WHEN n >= 2 OR e - prev_pt[1] <= 1800 OR after_e - e <= 1800
                    THEN first_co2
                END
            WHEN next_pt[1] - prev_pt[1] <= 1800 THEN
                prev_pt[2] + (next_pt[2] - prev_pt[2]) * (e - prev_pt[1])
                    / (next_pt[1] - prev_pt[1])
        END AS co2
    FROM neighbours
),
grid AS NOT MATERIALIZED (
    -- the room's value at a point: the highest of its nodes' (the worst corner)
    SELECT room_id, day, max(co2) AS co2
    FROM node_grid
    GROUP BY room_id, day, t
),
metrics AS NOT MATERIALIZED (
    SELECT
        room_id,
        day,
        count(*) AS points,
        count(co2) AS present,
        max(co2) AS max_co2,
        avg(co2) AS mean_co2,
        count(*) FILTER (WHERE co2 >= 1500) AS excess_points,
        avg(co2 - 1500) FILTER (WHERE co2 >= 1500) AS mean_excess
    FROM grid
    GROUP BY room_id, day
)
SELECT
    d.organization_id,
    d.site_id,
    d.room_id,
    d.day,
    CAST(d.day AS timestamp) AT TIME ZONE z.tz AS day_start,
    CAST(d.day + 1 AS timestamp) AT TIME ZONE z.tz AS day_end,
    d.sample_count,
    d.co2_min_ppm,
    d.co2_max_ppm,
    d.co2_sample_mean_ppm,
    d.temperature_mean_celsius,
    d.rel_humidity_mean_percent,
    600 * m.points - 600 * m.present AS gap_duration_s,
    600 * m.points - 600 * m.present <= 3600 AS is_valid,
    m.max_co2 AS max_co2_ppm,
    m.mean_co2 AS mean_co2_ppm,
    CASE WHEN m.present > 0 THEN 600 * m.excess_points END AS excess_duration_s,
    CASE WHEN m.present > 0
        THEN coalesce(m.mean_excess, 0) * m.excess_points / m.present
    END AS excess_score
FROM days AS d
JOIN metrics AS m ON m.room_id = d.room_id AND m.day = d.day
CROSS JOIN zone AS z;

COMMENT ON VIEW analytics.room_daily IS
    'One row per room and local calendar day (see the schema comment for the time zone) on which '
    'the room has samples, from the installations you may see: plain daily figures '
    'and the air-quality metrics of the API''s daily table (10-minute grid, 30-minute '
    'gap rule, valid when at most an hour is missing, excess over 1500 ppm). The '
    'clean-air medal of a month is decided on these days (plus the days without '
    'samples, which count as invalid). Each node of the room has its own grid and the room '
    'takes the highest of their values at each point. Filter on room_id: the grid is built per room.';
COMMENT ON COLUMN analytics.room_daily.organization_id IS 'Organization operating the site of the room.';
COMMENT ON COLUMN analytics.room_daily.site_id IS 'Site of the room.';
COMMENT ON COLUMN analytics.room_daily.room_id IS 'Room (JSON:API Room id).';
COMMENT ON COLUMN analytics.room_daily.day IS 'Local calendar day (date).';
COMMENT ON COLUMN analytics.room_daily.day_start IS 'Local midnight starting the day (timestamptz).';
COMMENT ON COLUMN analytics.room_daily.day_end IS 'Local midnight ending the day (timestamptz); days last 23 or 25 hours when DST changes.';
COMMENT ON COLUMN analytics.room_daily.sample_count IS 'Number of samples on the day, over all installations of the room (a sample where two installations of its node touch counts once).';
COMMENT ON COLUMN analytics.room_daily.co2_min_ppm IS 'Lowest CO2 sample in ppm.';
COMMENT ON COLUMN analytics.room_daily.co2_max_ppm IS 'Highest CO2 sample in ppm.';
COMMENT ON COLUMN analytics.room_daily.co2_sample_mean_ppm IS 'Mean of the CO2 samples in ppm (not time-weighted; compare mean_co2_ppm).';
COMMENT ON COLUMN analytics.room_daily.temperature_mean_celsius IS 'Mean temperature of the samples in degrees Celsius.';
COMMENT ON COLUMN analytics.room_daily.rel_humidity_mean_percent IS 'Mean relative humidity of the samples in percent.';
COMMENT ON COLUMN analytics.room_daily.gap_duration_s IS 'Seconds of the day without data: 600 per missing grid point.';
COMMENT ON COLUMN analytics.room_daily.is_valid IS 'True when at most 3600 s of the day are missing; only valid days count for the medal.';
COMMENT ON COLUMN analytics.room_daily.max_co2_ppm IS 'Highest CO2 on the 10-minute grid in ppm; a valid day at 2000 or more forbids the medal. Null without data.';
COMMENT ON COLUMN analytics.room_daily.mean_co2_ppm IS 'Mean CO2 on the 10-minute grid in ppm (time-weighted). Null without data.';
COMMENT ON COLUMN analytics.room_daily.excess_duration_s IS 'Seconds at or above 1500 ppm: 600 per grid point. Null without data.';
COMMENT ON COLUMN analytics.room_daily.excess_score IS 'Mean excess over 1500 ppm of those points times the fraction of the covered time they make up; 150 or more is a red day, above 0 a yellow day. Null without data.';
