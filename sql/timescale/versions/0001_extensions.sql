-- TimescaleDB (hypertables) and btree_gist (the installation overlap constraint).
-- Applied by migration 0001.
CREATE EXTENSION IF NOT EXISTS timescaledb;
CREATE EXTENSION IF NOT EXISTS btree_gist;
