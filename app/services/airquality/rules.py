"""The constants of the air-quality pipeline (Managair §6.2), in one place.

The SQL view ``analytics.room_daily``
(``sql/timescale/definitions/analytics_room_daily.sql``) repeats these numbers;
``tests/db/ops/test_analytics_views.py`` checks both give the same days.
"""

from __future__ import annotations

#: Spacing of the uniform grid, and the duration one grid point stands for.
STEP_S = 600
#: Consecutive raw samples further apart than this are a gap (missing data).
MAX_GAP_S = 1800
#: Reference value of "excess" CO2.
CLEAN_AIR_THRESHOLD_PPM = 1500
#: A valid day whose maximum reaches this forbids the medal.
BAD_AIR_THRESHOLD_PPM = 2000
#: A valid day whose excess score reaches this (a "red" day) forbids the medal.
EXCESS_SCORE_THRESHOLD = 150
#: The medal needs fewer than this fraction of valid days with excess ("yellow").
EXCESS_RATE = 0.3
#: The medal needs at least this fraction of valid days.
VALID_DAY_RATE = 0.6
#: A day is valid when at most this much of it is missing.
MAX_DAY_GAP_S = 3600
#: An hour counts only with all its grid points.
POINTS_PER_HOUR = 3600 // STEP_S
#: Length of the "past" window when no month is asked for.
RECENT_DAYS = 30
#: Histogram keys, Monday first (the reference's order).
WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
