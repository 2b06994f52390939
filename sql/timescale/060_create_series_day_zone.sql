-- Both editions: the time zone of the stored local-day level samples_1d_local (061 on
-- TSL, 062 on Apache). Applied by migration 0011, which then stores ANALYSIS_TIMEZONE
-- here; safe to re-run.
--
-- Why a stored local-day level: a daily series in the analysis zone (the default of the
-- series API and of every dashboard) folded a year of hourly rows into 366 local days
-- per request (8,760 rows, about 12 ms); the local-day level answers it from 366 rows.
-- It is kept in one zone only: readers use it when a request asks for exactly this
-- zone, and fold hours (or 10-minute buckets) for any other zone, as before.

CREATE TABLE IF NOT EXISTS series_day_zone (
    singleton boolean DEFAULT TRUE CHECK (singleton),
    zone text NOT NULL,
    CONSTRAINT pk_series_day_zone PRIMARY KEY (singleton)
);

-- The zone of samples_1d_local (NULL before the migration stored one).
CREATE OR REPLACE FUNCTION series_day_zone() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT z.zone FROM series_day_zone z
$$;
