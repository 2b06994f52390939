-- Both editions: room_air_days, the air-quality figures of each room and completed local
-- day, written by the jobs process (app/services/dashboard/rollup.py) so the dashboard's
-- month figures (medal, weekday x hour profile, daily table) need no month of raw samples.
--
-- A row holds one day's statistics of the room's 10-minute grid (Managair §6.2, the rules
-- of app/services/airquality) for one set of contributing installations: `sources` names
-- them, clipped to the day and its 30-minute margins ("id:from-to,..." in epoch seconds),
-- so a member's view and the public view of a room may have different rows, and a reader
-- uses a row only when the installations it sees now give the same `sources`.
-- `sample_count` / `co2_sum` are the fingerprint of the samples behind the row (samples_1d
-- of its nodes over the UTC days its window touches): the job recomputes a day when they
-- change, i.e. after a late sample. hour_of_day / hour_mean are the day's complete hours
-- in time order (the weekday profile's input).

CREATE TABLE room_air_days (
    room_id bigint NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    timezone text NOT NULL,
    day date NOT NULL,
    sources text NOT NULL,
    points integer NOT NULL,
    present integer NOT NULL,
    co2_max double precision,
    co2_sum double precision NOT NULL,
    excess_points integer NOT NULL,
    excess_sum double precision NOT NULL,
    hour_of_day smallint[] NOT NULL,
    hour_mean double precision[] NOT NULL,
    sample_count bigint NOT NULL,
    sample_co2_sum double precision NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_room_air_days PRIMARY KEY (room_id, timezone, day, sources)
);
