"""Daily and hourly metrics, the clean-air medal and the weekday-by-hour profile.

Managair §6.2 steps 7-10, vectorised over the grid (numpy ``reduceat`` over the
runs of points that share a local day or hour), with its defects fixed:

* a day lasts as long as it really does (23 h and 25 h on DST days), because it
  is made of the grid points that fall on it;
* the medal counts "yellow" days as valid days with an excess score **> 0**
  (the reference wrote ``>= 0``, which every valid day meets, so it never gave
  the medal), and no days means no medal.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from app.services.airquality.rules import (
    BAD_AIR_THRESHOLD_PPM,
    CLEAN_AIR_THRESHOLD_PPM,
    EXCESS_RATE,
    EXCESS_SCORE_THRESHOLD,
    MAX_DAY_GAP_S,
    POINTS_PER_HOUR,
    STEP_S,
    VALID_DAY_RATE,
    WEEKDAYS,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_EPOCH_DAY = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class LocalClock:
    """Where each grid point falls in local time.

    Attributes:
        day: local calendar day as days since 1970-01-01.
        hour: start (epoch seconds) of the local clock hour the point is in;
            the hour repeated when DST ends gets two distinct values.
        hour_of_day: 0-23, local.
        weekday: 0 = Monday ... 6 = Sunday, local.
    """

    day: IntArray
    hour: IntArray
    hour_of_day: IntArray
    weekday: IntArray


@dataclass(frozen=True)
class Groups:
    """Statistics of runs of consecutive grid points (days or hours), columnar.

    Attributes:
        starts: index of each run's first point.
        points: grid points in the run.
        present: points with a value.
        maximum: largest value (NaN without values).
        mean: mean value (NaN without values).
        excess_points: points at or above the clean-air threshold.
        mean_excess: mean excess over the threshold of those points (0 if none).
    """

    starts: IntArray
    points: IntArray
    present: IntArray
    maximum: FloatArray
    mean: FloatArray
    excess_points: IntArray
    mean_excess: FloatArray

    @property
    def duration_s(self) -> IntArray:
        """Return each run's real length in seconds."""
        return STEP_S * self.points

    @property
    def gap_s(self) -> IntArray:
        """Return the missing duration of each run in seconds."""
        return STEP_S * (self.points - self.present)

    @property
    def excess_score(self) -> FloatArray:
        """Return mean excess times the fraction of present time in excess (NaN if no data)."""
        rate: FloatArray = np.divide(
            self.excess_points,
            self.present,
            out=np.full(len(self.starts), np.nan),
            where=self.present > 0,
        )
        score: FloatArray = self.mean_excess * rate
        return score


def local_clock(start_s: int, points: int, timezone: str) -> LocalClock:
    """Place the grid points ``start_s + k·STEP_S`` on the local calendar of ``timezone``."""
    epochs = start_s + STEP_S * np.arange(points, dtype=np.int64)
    local_s = epochs + utc_offsets_s(epochs, ZoneInfo(timezone))
    day = local_s // 86400
    return LocalClock(
        day=day,
        hour=epochs - local_s % 3600,
        hour_of_day=(local_s % 86400) // 3600,
        weekday=(day + 3) % 7,  # 1970-01-01 was a Thursday
    )


def utc_offsets_s(epochs: IntArray, zone: ZoneInfo) -> IntArray:
    """Return the UTC offset of ``zone`` in seconds at each of the ascending ``epochs``.

    Asking ``zoneinfo`` about every point of a month's grid costs ~10 ms (a Python
    call each), so it is asked once per hour of points; only between two probes
    whose offsets differ (a transition) is every point asked. An offset can only
    be missed by two transitions less than an hour apart that cancel out, which no
    zone has.
    """
    if not len(epochs):
        return np.zeros(0, dtype=np.int64)
    probes = np.unique(
        np.append(np.arange(0, len(epochs), POINTS_PER_HOUR), len(epochs) - 1)
    )
    at = _offsets_s(epochs[probes], zone)
    offsets = np.repeat(at, np.diff(np.append(probes, len(epochs))))
    for i in np.flatnonzero(np.diff(at)):
        lo, hi = probes[i], probes[i + 1] + 1
        offsets[lo:hi] = _offsets_s(epochs[lo:hi], zone)
    return offsets


def _offsets_s(epochs: IntArray, zone: ZoneInfo) -> IntArray:
    one_s = timedelta(seconds=1)
    return np.fromiter(
        (
            _utc_offset(datetime.fromtimestamp(e, zone)) // one_s
            for e in epochs.tolist()
        ),
        dtype=np.int64,
        count=len(epochs),
    )


def _utc_offset(moment: datetime) -> timedelta:
    offset = moment.utcoffset()
    if offset is None:  # never for an aware datetime; keeps the type exact
        raise ValueError(f"{moment!r} has no UTC offset")
    return offset


def runs(keys: IntArray) -> IntArray:
    """Return the index where each run of equal consecutive ``keys`` starts."""
    change = np.flatnonzero(np.diff(keys) != 0) + 1
    return np.concatenate((np.zeros(1, dtype=np.int64), change.astype(np.int64)))


@dataclass(frozen=True)
class RunSums:
    """The undivided sums of runs of grid points, what :func:`from_totals` divides.

    Attributes:
        points: grid points in each run.
        present: points with a value.
        maximum: largest value (``-inf`` without values).
        total: sum of the values.
        excess_points: points at or above the clean-air threshold.
        excess_total: their summed excess over the threshold.
    """

    points: IntArray
    present: IntArray
    maximum: FloatArray
    total: FloatArray
    excess_points: IntArray
    excess_total: FloatArray


def run_sums(values: FloatArray, starts: IntArray) -> RunSums:
    """Sum the runs of ``values`` beginning at ``starts`` (ascending, the first 0).

    The dashboard keeps these per day; :func:`group_stats` divides them.
    """
    present = ~np.isnan(values)
    excess = present & (values >= CLEAN_AIR_THRESHOLD_PPM)
    total, excess_sum = run_totals(values, starts)
    return RunSums(
        points=np.diff(np.append(starts, len(values))),
        present=np.add.reduceat(present.astype(np.int64), starts),
        maximum=np.maximum.reduceat(np.where(present, values, -np.inf), starts),
        total=total,
        excess_points=np.add.reduceat(excess.astype(np.int64), starts),
        excess_total=excess_sum,
    )


def group_stats(values: FloatArray, starts: IntArray) -> Groups:
    """Compute the statistics of the runs of ``values`` beginning at ``starts``.

    Args:
        values: grid values, NaN where missing; not empty.
        starts: ascending run starts, the first 0.

    Returns:
        One entry per run.
    """
    sums = run_sums(values, starts)
    return from_totals(
        starts,
        sums.points,
        sums.present,
        sums.maximum,
        sums.total,
        sums.excess_points,
        sums.excess_total,
    )


def from_totals(
    starts: IntArray,
    points: IntArray,
    present: IntArray,
    maximum: FloatArray,
    total: FloatArray,
    excess_points: IntArray,
    excess_total: FloatArray,
) -> Groups:
    """Build the statistics from per-run sums.

    One place for the divisions, so figures kept per day (the dashboard's daily
    rollup) give bit for bit what :func:`group_stats` gives from the grid.
    ``maximum`` may be ``-inf`` or NaN for a run without values.
    """
    has = present > 0
    nan = np.full(len(starts), np.nan)
    return Groups(
        starts=starts,
        points=points,
        present=present,
        maximum=np.where(has, maximum, np.nan),
        mean=np.divide(total, present, out=nan.copy(), where=has),
        excess_points=excess_points,
        mean_excess=np.where(
            has,
            np.divide(
                excess_total,
                excess_points,
                out=np.zeros(len(starts)),
                where=excess_points > 0,
            ),
            np.nan,
        ),
    )


def run_totals(values: FloatArray, starts: IntArray) -> tuple[FloatArray, FloatArray]:
    """Return each run's sum of values and sum of excess over the threshold.

    What :func:`group_stats` divides; kept by the dashboard's daily rollup.
    """
    present = ~np.isnan(values)
    excess = present & (values >= CLEAN_AIR_THRESHOLD_PPM)
    total = np.add.reduceat(np.where(present, values, 0.0), starts)
    excess_sum = np.add.reduceat(
        np.where(excess, values - CLEAN_AIR_THRESHOLD_PPM, 0.0), starts
    )
    return total, excess_sum


def valid_days(days: Groups) -> BoolArray:
    """Return whether each day misses at most an hour of data."""
    return days.gap_s <= MAX_DAY_GAP_S


def clean_air_medal(days: Groups, ended: int | None = None) -> bool:
    """Decide the clean-air medal from the daily table.

    ``ended`` is how many of the days (from the first) have ended, None for all.
    A day still running or to come is not held against the room: it counts
    once it is valid (otherwise no room could earn this month's medal before
    the 19th). The medal is awarded when all of these hold (V = valid days,
    N = the days that ended or are valid):

    1. N > 0 and |V| ≥ 0.6·N;
    2. every valid day's maximum is below 2000 ppm;
    3. no valid day has an excess score ≥ 150 (a "red" day);
    4. fewer than 30 % of the valid days have an excess score > 0 ("yellow"
       days) — the reference's intent; its code counted ``>= 0``.
    """
    valid = valid_days(days)
    ended = len(valid) if ended is None else min(max(ended, 0), len(valid))
    total = ended + int(np.count_nonzero(valid[ended:]))
    n_valid = int(np.count_nonzero(valid))
    if total == 0 or n_valid < VALID_DAY_RATE * total:
        return False
    maximum = days.maximum[valid]
    score = days.excess_score[valid]
    if np.any(maximum >= BAD_AIR_THRESHOLD_PPM):
        return False
    if np.any(score >= EXCESS_SCORE_THRESHOLD):
        return False
    return int(np.count_nonzero(score > 0)) < EXCESS_RATE * n_valid


def weekday_profile(values: FloatArray, clock: LocalClock) -> dict[str, list[float]]:
    """Return the mean CO2 per weekday and local hour over the valid hours.

    An hour is valid when all its grid points have values. Each weekday maps
    to 24 hourly means (hour 0 first) when every hour of that weekday has at
    least one valid hour in the window, otherwise to ``[]``.
    """
    first, means = valid_hours(values, clock)
    slot = clock.weekday[first] * 24 + clock.hour_of_day[first]
    return profile(slot, means)


def valid_hours(values: FloatArray, clock: LocalClock) -> tuple[IntArray, FloatArray]:
    """Return the first grid point and the mean of each complete local hour."""
    hours = group_stats(values, runs(clock.hour))
    valid = (hours.points == POINTS_PER_HOUR) & (hours.present == POINTS_PER_HOUR)
    return hours.starts[valid], hours.mean[valid]


def profile(slot: IntArray, means: FloatArray) -> dict[str, list[float]]:
    """Average hourly ``means`` per ``slot`` (weekday·24 + hour), in time order."""
    sums = np.bincount(slot, weights=means, minlength=7 * 24)
    counts = np.bincount(slot, minlength=7 * 24)
    averages = np.divide(sums, counts, out=np.zeros(7 * 24), where=counts > 0)
    return {
        name: (
            [float(m) for m in averages[i * 24 : (i + 1) * 24]]
            if bool(np.all(counts[i * 24 : (i + 1) * 24] > 0))
            else []
        )
        for i, name in enumerate(WEEKDAYS)
    }


def day_dates(days: Groups, clock: LocalClock) -> list[date]:
    """Return the local calendar date of each day run."""
    return [date.fromordinal(_EPOCH_DAY + int(d)) for d in clock.day[days.starts]]


def days_ended(dates: Sequence[date], today: date) -> int:
    """How many of ``dates`` (in order) are over: those before ``today``."""
    return bisect.bisect_left(dates, today)
