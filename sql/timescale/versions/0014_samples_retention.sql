-- Both editions: where retention left raw samples. Applied by migration 0014.
-- One row; dropped_before is the end of the newest samples chunk that retention
-- (app/services/ops/retention.py) dropped, '-infinity' while none was. The
-- aggregate refreshes never recompute buckets below it: their raw samples are
-- gone, and the aggregates are what is kept of them.
CREATE TABLE IF NOT EXISTS samples_retention (
    dropped_before timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO samples_retention (dropped_before)
SELECT '-infinity' WHERE NOT EXISTS (SELECT FROM samples_retention);
