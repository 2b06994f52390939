"""One set of time terms for every read of samples: the window, the request's bounds
and an installation's interval.

A :class:`Window` is half-open, ``[start, stop)``, everywhere in the services: windows
then split and clip without off-by-one cases, and a whole bucket ``[t, t + width)`` is
a window like any other. The API's bounds are inclusive at both ends (Managair's
``filter[from]``/``filter[to]`` and an installation's ``to_timestamp_s``): they become
windows in one place, :meth:`Window.inclusive`, which ends one microsecond after the
last instant (samples have whole seconds, so a sample at exactly ``to`` is inside).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from app.services.series.epoch import EPOCH, OPEN_END_S, from_epoch, to_epoch

if TYPE_CHECKING:  # the time terms are used where no ORM is loaded
    from app.models import Installation

ONE_US = timedelta(microseconds=1)
#: An open installation ends here (``to_timestamp_s`` 2147483647, stored as NULL).
OPEN_END = from_epoch(OPEN_END_S)


@dataclass(frozen=True)
class Window:
    """The half-open time range ``[start, stop)`` of a request."""

    start: datetime
    stop: datetime

    @classmethod
    def inclusive(cls, start: datetime, end: datetime) -> Window:
        """The window of ``start <= time <= end`` (the API's inclusive bounds)."""
        return cls(start, end + ONE_US)

    @property
    def last(self) -> datetime:
        """The last instant inside the window (its inclusive end)."""
        return self.stop - ONE_US

    @property
    def is_empty(self) -> bool:
        """Whether no instant lies in the window."""
        return self.stop <= self.start

    def clip(self, other: Window) -> Window:
        """The intersection of both windows (possibly empty)."""
        return Window(max(self.start, other.start), min(self.stop, other.stop))


#: Every sample: the API's epoch seconds start at 0, and no sample is stored after 9999.
ALL_TIME = Window(EPOCH, datetime(9999, 1, 1, tzinfo=UTC))


@dataclass(frozen=True)
class Bounds:
    """The ``filter[from]``/``filter[to]`` of a detail request (inclusive), if given."""

    from_s: int | None = None
    to_s: int | None = None

    def from_or_zero(self) -> int:
        """``filter[from]``, or 0 (the epoch) when absent."""
        return 0 if self.from_s is None else self.from_s

    def to_or_now(self, now: datetime) -> int:
        """``filter[to]``, or the request time when absent."""
        return to_epoch(now) if self.to_s is None else self.to_s

    def window(self, now: datetime) -> Window:
        """``[filter[from] or 0, filter[to] or now]``, both ends included."""
        return Window.inclusive(
            from_epoch(self.from_or_zero()), from_epoch(self.to_or_now(now))
        )


def installation_window(installation: Installation) -> Window:
    """The installation's own interval, both ends included (open: up to ``OPEN_END``)."""
    return Window.inclusive(installation.from_time, installation.to_time or OPEN_END)
