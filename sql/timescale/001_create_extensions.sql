-- TimescaleDB (hypertables) and btree_gist (the installation overlap constraint).
-- Applied by migration 0001; safe to re-run.
CREATE EXTENSION IF NOT EXISTS timescaledb;
CREATE EXTENSION IF NOT EXISTS btree_gist;
