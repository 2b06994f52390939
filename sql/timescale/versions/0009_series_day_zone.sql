-- Both editions: the time zone of the stored local-day level samples_1d_local
-- (definitions/series_local_days_cagg.sql on TSL, 0009_series_local_days.sql on
-- Apache). Applied by migration 0009, which then stores ANALYSIS_TIMEZONE here.
--
-- Why a stored local-day level: a daily series in the analysis zone (the default of the
-- series API and of every dashboard) folded a year of hourly rows into 366 local days
-- per request (8,760 rows, about 12 ms); the local-day level answers it from 366 rows.
-- It is kept in one zone only: readers use it when a request asks for exactly this
-- zone, and fold hours (or 10-minute buckets) for any other zone, as before.

CREATE TABLE series_day_zone (
    singleton boolean DEFAULT TRUE CHECK (singleton),
    zone text NOT NULL,
    CONSTRAINT pk_series_day_zone PRIMARY KEY (singleton)
);
