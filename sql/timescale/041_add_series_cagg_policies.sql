-- TSL edition: refresh policies of the series continuous aggregates (040).
-- Applied by migration 0008 after 040; safe to re-run (if_not_exists).
-- start_offset NULL: late samples of any age are picked up through the invalidation
-- log (a policy with a start offset would ignore older ones). end_offset one bucket:
-- the bucket still filling stays real-time. Each level runs after the one below has
-- had time to refresh.
SELECT add_continuous_aggregate_policy('samples_10m',
    start_offset => NULL, end_offset => INTERVAL '10 minutes',
    schedule_interval => INTERVAL '5 minutes', if_not_exists => TRUE);
SELECT add_continuous_aggregate_policy('samples_1h',
    start_offset => NULL, end_offset => INTERVAL '1 hour',
    schedule_interval => INTERVAL '15 minutes', if_not_exists => TRUE);
SELECT add_continuous_aggregate_policy('samples_1d',
    start_offset => NULL, end_offset => INTERVAL '1 day',
    schedule_interval => INTERVAL '1 hour', if_not_exists => TRUE);
