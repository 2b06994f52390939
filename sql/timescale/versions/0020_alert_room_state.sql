-- Both editions: alert_room_state, where the alert evaluation of each (CO2 rule, room)
-- stands, so the next run reads only the samples after it (app/services/alerts/sql.py).
--
-- evaluated_to: every sample of the room up to it (inclusive) is folded in; a sample
-- logged at or before it is late and takes the exact recomputation. seen_to: the newest
-- sample logged for the room; above evaluated_to when a lagging node held the room back,
-- so the room is evaluated again even without new samples. run_class / run_start /
-- run_peak_ppm: the class (1 at or above the threshold, 0 between, -1 below threshold
-- minus hysteresis) of the room's newest evaluated sample, where that run of one class
-- began and its highest CO2; null after a rule edit (the next sample starts a run).
-- The open alert itself is the alerts row without cleared_at.

CREATE TABLE alert_room_state (
    rule_id bigint NOT NULL,
    room_id bigint NOT NULL,
    evaluated_to timestamptz NOT NULL,
    seen_to timestamptz NOT NULL,
    run_class smallint,
    run_start timestamptz,
    run_peak_ppm integer,
    CONSTRAINT pk_alert_room_state PRIMARY KEY (rule_id, room_id),
    CONSTRAINT fk_alert_room_state_rule_id_alert_rules FOREIGN KEY (rule_id)
        REFERENCES alert_rules (id) ON DELETE CASCADE,
    CONSTRAINT fk_alert_room_state_room_id_rooms FOREIGN KEY (room_id)
        REFERENCES rooms (id) ON DELETE CASCADE,
    CONSTRAINT ck_alert_room_state_run_complete
        CHECK ((run_class IS NULL) = (run_start IS NULL)
               AND (run_class IS NULL) = (run_peak_ppm IS NULL))
) WITH (fillfactor = 50);
-- Every run rewrites the rows of its rooms: room on each page for the new versions
-- (HOT updates, no index entry), and no index on the columns that change.
