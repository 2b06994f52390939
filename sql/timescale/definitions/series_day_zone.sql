-- Both editions: series_day_zone(), the zone of the local-day level (the one row of
-- the table series_day_zone, versions/0009_series_day_zone.sql). Current definition,
-- applied by migration 0009 and re-applied by each migration that changes it.

-- The zone of samples_1d_local (NULL before the migration stored one).
CREATE OR REPLACE FUNCTION series_day_zone() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT z.zone FROM series_day_zone z
$$;
