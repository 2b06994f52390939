-- Both editions: node_tallies and installation_tallies, each row's sample count and
-- newest sample time, kept exact by the triggers of definitions/sample_tallies.sql
-- (applied right after this file, before the tallies are filled).
--
-- Filling them: writes to samples wait until the migration commits (SHARE lock), so
-- no sample is counted twice or missed; about 4 s per 10 M samples. Every
-- installation gets a row, also without samples (the change triggers only UPDATE).

CREATE TABLE node_tallies (
    node_id uuid NOT NULL,
    samples bigint NOT NULL,
    newest timestamptz,
    CONSTRAINT pk_node_tallies PRIMARY KEY (node_id),
    CONSTRAINT fk_node_tallies_node_id_nodes FOREIGN KEY (node_id)
        REFERENCES nodes (id) ON DELETE CASCADE
) WITH (fillfactor = 50);

CREATE TABLE installation_tallies (
    installation_id bigint NOT NULL,
    samples bigint NOT NULL,
    newest timestamptz,
    CONSTRAINT pk_installation_tallies PRIMARY KEY (installation_id),
    CONSTRAINT fk_installation_tallies_installation_id_installations
        FOREIGN KEY (installation_id) REFERENCES installations (id) ON DELETE CASCADE
) WITH (fillfactor = 50);

-- TSL edition: the samples one DELETE or UPDATE statement changed, written by a row
-- trigger and consumed by the statement's trigger before it ends (TimescaleDB gives
-- no DELETE transition table there). Never holds a committed row, so unlogged.
CREATE UNLOGGED TABLE sample_tally_log (
    node_id uuid NOT NULL,
    time timestamptz NOT NULL,
    sign smallint NOT NULL
);
