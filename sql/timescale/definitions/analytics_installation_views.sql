-- Samples per installation (clipped to its window) and their hourly and daily
-- aggregates, filtered by the querying role. Current definition, applied by migration 0007
-- and re-applied by each migration that changes it (CREATE OR REPLACE: columns
-- may be added at the end, never changed in place).
--
-- Who sees what is decided here, in the database: public.analytics_installation_samples
-- is a security-barrier view (owned by the application role, so analysts need no
-- right on any table; analysts cannot read it, only the views built on it) that
-- keeps a row when current_user
--   * owns the analytics schema (the application role) or is a member of that role,
--   * is granted the row's organization in public.analyst_role_organizations, or
--   * is an analyst role with public_data and the installation is public.
-- The barrier makes PostgreSQL apply that filter before any function an analyst
-- writes into a WHERE clause sees a row. The analytics views read it and so inherit
-- the filter.
--
-- A leakproof condition (comparisons of numbers and text are) may still be
-- evaluated before the filter, in the scans of every organization's rows, and
-- EXPLAIN ANALYZE counts the rows each scan read and removed: `co2_ppm > 1000`
-- would tell how many samples of all organizations match it. PostgreSQL pushes no
-- condition into a view's column that calls a volatile function, so
-- analytics.installation_samples passes the measured values and the names through
-- analytics.opaque(): a condition on them waits until the filter has run, and the
-- counts do not depend on another organization's readings or names. The function
-- is inlined once that decision is made, so it costs nothing per row. Conditions
-- on time and the ids still reach the scans (time bounds must, for speed). The
-- aggregate views read the inner view: a condition on an aggregate waits for the
-- grouping anyway, and a volatile function would keep room_daily's common table
-- expressions from being inlined.

CREATE OR REPLACE VIEW public.analytics_installation_samples
    WITH (security_barrier = true)
AS
SELECT
    i.id AS installation_id,
    si.operator_id AS organization_id,
    o.name AS organization_name,
    si.id AS site_id,
    si.name AS site_name,
    r.id AS room_id,
    r.name AS room_name,
    i.node_id,
    i.is_public,
    s.time,
    s.co2_ppm,
    s.temperature_celsius,
    s.rel_humidity_percent,
    s.measurement_status
FROM public.installations AS i
JOIN public.rooms AS r ON r.id = i.room_id
JOIN public.sites AS si ON si.id = r.site_id
JOIN public.organizations AS o ON o.id = si.operator_id
JOIN public.samples AS s
  ON s.node_id = i.node_id
 AND s.time >= i.from_time
 AND (i.to_time IS NULL OR s.time <= i.to_time)
WHERE EXISTS (
        SELECT 1
        FROM pg_catalog.pg_namespace AS ns
        WHERE ns.nspname = 'analytics'
          AND pg_catalog.pg_has_role(current_user, ns.nspowner, 'USAGE')
    )
    OR si.operator_id IN (
        SELECT g.organization_id
        FROM public.analyst_role_organizations AS g
        WHERE g.role_name = current_user
    )
    OR (
        i.is_public
        AND EXISTS (
            SELECT 1
            FROM public.analyst_roles AS a
            WHERE a.role_name = current_user AND a.public_data
        )
    );

CREATE OR REPLACE FUNCTION analytics.opaque(value anyelement)
RETURNS anyelement
LANGUAGE sql
VOLATILE
AS $$ SELECT value $$;

COMMENT ON FUNCTION analytics.opaque(anyelement) IS
    'Returns its argument. Volatile, so that no condition on a view column it '
    'computes is evaluated before the view''s filter.';

CREATE OR REPLACE VIEW analytics.installation_samples
    WITH (security_barrier = true)
AS
SELECT
    installation_id,
    organization_id,
    CAST(analytics.opaque(organization_name) AS varchar(50)) AS organization_name,
    site_id,
    CAST(analytics.opaque(site_name) AS varchar(50)) AS site_name,
    room_id,
    CAST(analytics.opaque(room_name) AS varchar(50)) AS room_name,
    node_id,
    is_public,
    time,
    analytics.opaque(co2_ppm) AS co2_ppm,
    CAST(analytics.opaque(temperature_celsius) AS numeric(3, 1)) AS temperature_celsius,
    analytics.opaque(rel_humidity_percent) AS rel_humidity_percent,
    CAST(analytics.opaque(measurement_status) AS varchar(1)) AS measurement_status
FROM public.analytics_installation_samples;

COMMENT ON VIEW analytics.installation_samples IS
    'Every sample of every installation you may see, inside the installation''s '
    'window (from_time to to_time, both inclusive): a node''s samples count for a '
    'room only while it hangs there. Filter on time and installation_id or room_id '
    'for speed.';
COMMENT ON COLUMN analytics.installation_samples.installation_id IS 'Installation (JSON:API Installation id).';
COMMENT ON COLUMN analytics.installation_samples.organization_id IS 'Organization operating the site of the room (JSON:API Organization id).';
COMMENT ON COLUMN analytics.installation_samples.organization_name IS 'Name of the organization.';
COMMENT ON COLUMN analytics.installation_samples.site_id IS 'Site of the room (JSON:API Site id).';
COMMENT ON COLUMN analytics.installation_samples.site_name IS 'Name of the site.';
COMMENT ON COLUMN analytics.installation_samples.room_id IS 'Room the node is installed in (JSON:API Room id).';
COMMENT ON COLUMN analytics.installation_samples.room_name IS 'Name of the room.';
COMMENT ON COLUMN analytics.installation_samples.node_id IS 'Installed node (UUID, JSON:API Node id).';
COMMENT ON COLUMN analytics.installation_samples.is_public IS 'Whether the installation is public (its samples are readable without login in the API).';
COMMENT ON COLUMN analytics.installation_samples.time IS 'Time of the sample (timestamptz).';
COMMENT ON COLUMN analytics.installation_samples.co2_ppm IS 'CO2 concentration in ppm (0 to 10000).';
COMMENT ON COLUMN analytics.installation_samples.temperature_celsius IS 'Air temperature in degrees Celsius, null when the node does not measure it.';
COMMENT ON COLUMN analytics.installation_samples.rel_humidity_percent IS 'Relative humidity in percent, null when the node does not measure it.';
COMMENT ON COLUMN analytics.installation_samples.measurement_status IS 'M measured value, R replacement value, E measurement error.';

-- The time zone of the local hours and days of every view: the session's
-- airq.analysis_timezone, else the analyst role's, else Europe/Berlin. One row; a view
-- (not a function) so that it reads analyst_roles with the owner's rights while
-- current_user stays the querying role.
CREATE OR REPLACE VIEW analytics.analysis_zone AS
SELECT coalesce(
    nullif(current_setting('airq.analysis_timezone', true), ''),
    (SELECT a.timezone FROM public.analyst_roles AS a WHERE a.role_name = current_user),
    'Europe/Berlin'
) AS tz;

COMMENT ON VIEW analytics.analysis_zone IS
    'The time zone of your local hours and days: SET airq.analysis_timezone, else your '
    'role''s, else Europe/Berlin.';
COMMENT ON COLUMN analytics.analysis_zone.tz IS 'IANA time zone name.';

CREATE OR REPLACE VIEW analytics.installation_hourly AS
SELECT
    installation_id,
    organization_id,
    site_id,
    room_id,
    node_id,
    is_public,
    time_bucket(INTERVAL '1 hour', time, z.tz) AS hour,
    count(*) AS sample_count,
    min(co2_ppm) AS co2_min_ppm,
    max(co2_ppm) AS co2_max_ppm,
    CAST(avg(co2_ppm) AS double precision) AS co2_mean_ppm,
    min(temperature_celsius) AS temperature_min_celsius,
    max(temperature_celsius) AS temperature_max_celsius,
    CAST(avg(temperature_celsius) AS double precision) AS temperature_mean_celsius,
    min(rel_humidity_percent) AS rel_humidity_min_percent,
    max(rel_humidity_percent) AS rel_humidity_max_percent,
    CAST(avg(rel_humidity_percent) AS double precision) AS rel_humidity_mean_percent
FROM public.analytics_installation_samples
CROSS JOIN analytics.analysis_zone AS z
GROUP BY installation_id, organization_id, site_id, room_id, node_id, is_public, hour;

COMMENT ON VIEW analytics.installation_hourly IS
    'Samples of installation_samples per installation and local clock hour '
    '(see the schema comment for the time zone); hours without samples are absent.';
COMMENT ON COLUMN analytics.installation_hourly.installation_id IS 'Installation (JSON:API Installation id).';
COMMENT ON COLUMN analytics.installation_hourly.organization_id IS 'Organization operating the site of the room.';
COMMENT ON COLUMN analytics.installation_hourly.site_id IS 'Site of the room.';
COMMENT ON COLUMN analytics.installation_hourly.room_id IS 'Room of the installation.';
COMMENT ON COLUMN analytics.installation_hourly.node_id IS 'Installed node (UUID).';
COMMENT ON COLUMN analytics.installation_hourly.is_public IS 'Whether the installation is public.';
COMMENT ON COLUMN analytics.installation_hourly.hour IS 'Start of the local clock hour (timestamptz); the hour repeated when DST ends is one row.';
COMMENT ON COLUMN analytics.installation_hourly.sample_count IS 'Number of samples in the hour.';
COMMENT ON COLUMN analytics.installation_hourly.co2_min_ppm IS 'Lowest CO2 in ppm.';
COMMENT ON COLUMN analytics.installation_hourly.co2_max_ppm IS 'Highest CO2 in ppm.';
COMMENT ON COLUMN analytics.installation_hourly.co2_mean_ppm IS 'Mean CO2 of the samples in ppm (not time-weighted).';
COMMENT ON COLUMN analytics.installation_hourly.temperature_min_celsius IS 'Lowest temperature in degrees Celsius.';
COMMENT ON COLUMN analytics.installation_hourly.temperature_max_celsius IS 'Highest temperature in degrees Celsius.';
COMMENT ON COLUMN analytics.installation_hourly.temperature_mean_celsius IS 'Mean temperature in degrees Celsius.';
COMMENT ON COLUMN analytics.installation_hourly.rel_humidity_min_percent IS 'Lowest relative humidity in percent.';
COMMENT ON COLUMN analytics.installation_hourly.rel_humidity_max_percent IS 'Highest relative humidity in percent.';
COMMENT ON COLUMN analytics.installation_hourly.rel_humidity_mean_percent IS 'Mean relative humidity in percent.';

CREATE OR REPLACE VIEW analytics.installation_daily AS
SELECT
    installation_id,
    organization_id,
    site_id,
    room_id,
    node_id,
    is_public,
    CAST(time_bucket(INTERVAL '1 day', time, z.tz)
         AT TIME ZONE z.tz AS date) AS day,
    time_bucket(INTERVAL '1 day', time, z.tz) AS day_start,
    count(*) AS sample_count,
    min(co2_ppm) AS co2_min_ppm,
    max(co2_ppm) AS co2_max_ppm,
    CAST(avg(co2_ppm) AS double precision) AS co2_mean_ppm,
    min(temperature_celsius) AS temperature_min_celsius,
    max(temperature_celsius) AS temperature_max_celsius,
    CAST(avg(temperature_celsius) AS double precision) AS temperature_mean_celsius,
    min(rel_humidity_percent) AS rel_humidity_min_percent,
    max(rel_humidity_percent) AS rel_humidity_max_percent,
    CAST(avg(rel_humidity_percent) AS double precision) AS rel_humidity_mean_percent
FROM public.analytics_installation_samples
CROSS JOIN analytics.analysis_zone AS z
GROUP BY installation_id, organization_id, site_id, room_id, node_id, is_public, day, day_start;

COMMENT ON VIEW analytics.installation_daily IS
    'Samples of installation_samples per installation and local calendar day '
    '(see the schema comment for the time zone); days without samples are absent.';
COMMENT ON COLUMN analytics.installation_daily.installation_id IS 'Installation (JSON:API Installation id).';
COMMENT ON COLUMN analytics.installation_daily.organization_id IS 'Organization operating the site of the room.';
COMMENT ON COLUMN analytics.installation_daily.site_id IS 'Site of the room.';
COMMENT ON COLUMN analytics.installation_daily.room_id IS 'Room of the installation.';
COMMENT ON COLUMN analytics.installation_daily.node_id IS 'Installed node (UUID).';
COMMENT ON COLUMN analytics.installation_daily.is_public IS 'Whether the installation is public.';
COMMENT ON COLUMN analytics.installation_daily.day IS 'Local calendar day (date).';
COMMENT ON COLUMN analytics.installation_daily.day_start IS 'Local midnight starting the day (timestamptz); days last 23 or 25 hours when DST changes.';
COMMENT ON COLUMN analytics.installation_daily.sample_count IS 'Number of samples on the day.';
COMMENT ON COLUMN analytics.installation_daily.co2_min_ppm IS 'Lowest CO2 in ppm.';
COMMENT ON COLUMN analytics.installation_daily.co2_max_ppm IS 'Highest CO2 in ppm.';
COMMENT ON COLUMN analytics.installation_daily.co2_mean_ppm IS 'Mean CO2 of the samples in ppm (not time-weighted).';
COMMENT ON COLUMN analytics.installation_daily.temperature_min_celsius IS 'Lowest temperature in degrees Celsius.';
COMMENT ON COLUMN analytics.installation_daily.temperature_max_celsius IS 'Highest temperature in degrees Celsius.';
COMMENT ON COLUMN analytics.installation_daily.temperature_mean_celsius IS 'Mean temperature in degrees Celsius.';
COMMENT ON COLUMN analytics.installation_daily.rel_humidity_min_percent IS 'Lowest relative humidity in percent.';
COMMENT ON COLUMN analytics.installation_daily.rel_humidity_max_percent IS 'Highest relative humidity in percent.';
COMMENT ON COLUMN analytics.installation_daily.rel_humidity_mean_percent IS 'Mean relative humidity in percent.';
