-- TSL edition: samples_1mo, the UTC months of the downsampled series, as a hierarchical
-- continuous aggregate on samples_1d with its refresh policy (migration 0016; the Apache
-- edition gets a table of the same name and shape from 0016_series_months.sql).
--
-- Why: the sample counts of the node and installation lists read whole stored days; at
-- one row per node and day that cost grew with the history. With months, a window is
-- at most 2 x 31 edge days plus one row per month. Writes that samples_1mo has not seen
-- yet are in TimescaleDB's invalidation logs (samples_1d's materialization), which the
-- readers already consult: a month holding such a day is read as days.
--
-- Created WITH NO DATA: the policy (or flask series refresh) fills it, and readers use
-- days until then.
SELECT series_create_cagg('samples_1mo', 'samples_1d', INTERVAL '1 month');

SELECT add_continuous_aggregate_policy('samples_1mo',
    start_offset => NULL, end_offset => INTERVAL '1 month',
    schedule_interval => INTERVAL '1 day', if_not_exists => TRUE);
