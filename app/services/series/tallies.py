"""The sample figures of the lists: each node's or installation's sample count and
newest sample, from the tallies the database keeps (``node_tallies``,
``installation_tallies``; ``sql/timescale/definitions/sample_tallies.sql``).

Two statements for a page of any size and any history: the tallies by primary key,
then the newest samples, one index-only probe each (grouped by time so the planner
keeps only the chunks around them). The figures are exact as soon as a write commits:
the triggers change the tallies in the writer's transaction. Windows other than a
node's whole history or an installation's own interval (the details' ``filter[from]``
and ``filter[to]``) take :func:`app.services.series.stats.window_stats`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import TextClause
from sqlalchemy.orm import Session

from app.services.series import sql
from app.services.series.samples import sample_objects
from app.services.series.stats import EMPTY, RawRange, WindowStats, group_ranges
from app.services.series.window import ONE_US, Window


def node_figures(session: Session, node_ids: Sequence[uuid.UUID]) -> list[WindowStats]:
    """Each node's sample count and newest sample (all its history), in order.

    The caller has checked that the actor may see the nodes.
    """
    tallies = _tallies(session, sql.NODE_TALLIES_SQL, list(node_ids))
    return _figures(session, [(node_id, tallies.get(node_id)) for node_id in node_ids])


def newest_sample_time(session: Session) -> datetime | None:
    """The time of the newest sample of any node (the back office's dashboard).

    ``max(time)`` over the hypertable reads every chunk (no index leads with time:
    11 s at a year of 100 nodes); the node tallies hold each node's newest time.
    """
    newest: datetime | None = session.execute(sql.NEWEST_TALLIED_SQL).scalar()
    return newest


def installation_figures(
    session: Session, installations: Sequence[tuple[int, uuid.UUID]]
) -> list[WindowStats]:
    """Each installation's sample count and newest sample within its own interval.

    Args:
        session: the session.
        installations: (installation id, node id) of each; visibility checked.

    Returns:
        One :class:`WindowStats` per installation, in order (no ``first``).
    """
    ids = [pk for pk, _ in installations]
    tallies = _tallies(session, sql.INSTALLATION_TALLIES_SQL, ids)
    return _figures(session, [(node, tallies.get(pk)) for pk, node in installations])


def _tallies(
    session: Session, statement: TextClause, ids: list[Any]
) -> dict[Any, tuple[int, datetime | None]]:
    if not ids:
        return {}
    rows = sql.fetch_all(session, statement, {"ids": ids}, prepared=True)
    return {key: (int(count), newest) for key, count, newest in rows}


def _figures(
    session: Session,
    tallies: Sequence[tuple[uuid.UUID, tuple[int, datetime | None] | None]],
) -> list[WindowStats]:
    """WindowStats from (node, tally) pairs, reading the newest samples at once."""
    probes = [
        RawRange(index, node_id, Window(tally[1], tally[1] + ONE_US))
        for index, (node_id, tally) in enumerate(tallies)
        if tally is not None and tally[0] > 0 and tally[1] is not None
    ]
    newest: dict[int, Any] = {}
    if probes:
        groups, params = group_ranges(probes)
        rows = sql.fetch_all(session, sql.samples_at_sql(groups), params)
        keys = [probes[row[0]].key for row in rows]
        newest = dict(zip(keys, sample_objects(row[1:] for row in rows), strict=True))
    return [
        WindowStats(tally[0], None, tally[1], newest.get(index))
        if tally is not None and tally[0] > 0
        else EMPTY
        for index, (_, tally) in enumerate(tallies)
    ]
