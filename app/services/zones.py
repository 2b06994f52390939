"""The time zones the API takes: the IANA names of places the system knows.

``ZoneInfo`` opens more than that by file name: ``posixrules``, ``right/...`` and
``posix/...`` (which :func:`zoneinfo.available_timezones` leaves out), and a folder
or an overlong name raises ``OSError``. A lookup in this set never opens a file.
"""

from __future__ import annotations

from zoneinfo import available_timezones

#: In the zone database's folder, but no place's zone: ``localtime`` is the
#: server's own, ``Factory`` a placeholder without an offset.
NOT_PLACES = frozenset({"localtime", "Factory"})

#: Every zone name a request may give (rules' ``time_zone``, the series' ``tz``).
PLACES: frozenset[str] = frozenset(available_timezones()) - NOT_PLACES
