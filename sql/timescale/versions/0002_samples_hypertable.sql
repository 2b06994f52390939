-- Turns the samples table into a hypertable partitioned by time, 7-day chunks
-- (100,000 nodes every 5 minutes is about 200 M rows a week, a few GiB per chunk).
-- Applied by migration 0002 after the table exists.
-- The unique (node_id, time DESC) index is declared by the model, so Timescale's
-- default indexes are not created.
SELECT create_hypertable(
    'samples',
    'time',
    chunk_time_interval => INTERVAL '7 days',
    if_not_exists => TRUE,
    create_default_indexes => FALSE
);
