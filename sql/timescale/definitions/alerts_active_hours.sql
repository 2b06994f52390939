-- Both editions: alert_rule_active(weekdays, from, to, zone, t), whether the moment t
-- lies in a rule's active hours: its ISO weekday (1 Monday .. 7 Sunday) is among
-- weekdays (null: every day) and its wall-clock time in zone is in [from, to) (null:
-- all day; from > to spans midnight, e.g. 22:00-06:00). AT TIME ZONE makes it
-- DST-correct: 08:00 is 07:00 UTC in winter and 06:00 UTC in summer in Europe/Berlin.
-- Current definition, applied by migration 0014 (CREATE OR REPLACE). A plain SQL
-- function, so the planner inlines it into the evaluation statements.

CREATE OR REPLACE FUNCTION alert_rule_active(
    weekdays smallint[], active_from time, active_to time, zone text, t timestamptz
) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT (weekdays IS NULL
            OR extract(isodow FROM t AT TIME ZONE zone)::smallint = ANY (weekdays))
       AND (active_from IS NULL
            OR CASE WHEN active_from <= active_to
                    THEN (t AT TIME ZONE zone)::time >= active_from
                         AND (t AT TIME ZONE zone)::time < active_to
                    ELSE (t AT TIME ZONE zone)::time >= active_from
                         OR (t AT TIME ZONE zone)::time < active_to
               END)
$$;
