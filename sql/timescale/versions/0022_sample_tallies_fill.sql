-- Fills the tallies of 0022 (after its triggers exist). See 0022_sample_tallies.sql.
LOCK TABLE samples IN SHARE MODE;
LOCK TABLE installations IN SHARE MODE;

INSERT INTO node_tallies (node_id, samples, newest)
SELECT s.node_id, count(*), max(s.time) FROM samples s GROUP BY s.node_id;

INSERT INTO installation_tallies (installation_id, samples, newest)
SELECT i.id, c.n, c.newest
FROM installations i
CROSS JOIN LATERAL (
    SELECT count(*) AS n, max(s.time) AS newest
    FROM samples s
    WHERE s.node_id = i.node_id AND s.time >= i.from_time
      AND s.time <= coalesce(i.to_time, sample_tallies_open_end())
) c;
