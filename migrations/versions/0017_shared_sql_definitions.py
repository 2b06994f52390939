"""Shared SQL definitions: the series levels in one loop, the analysis time zone once.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 05:30:00

``series_refresh_levels()`` repeated the same delete-and-recompute SQL for each
level (10m, 1h, 1d, 1mo) in both of its steps, eight copies to keep in step. It now
walks ``series_levels()`` and calls ``series_rebuild_level()`` and
``series_coarser_ranges()`` (``sql/timescale/definitions/series_refresh.sql``, Apache
edition; the TSL edition keeps its continuous aggregates). The buckets it writes are
the same.

The analytics views spelled out the analysis time zone (session setting, else the
analyst role's, else Europe/Berlin) three times; ``analytics.analysis_zone``
(``definitions/analytics_installation_views.sql``) now holds it, and the views and
``definitions/analytics_room_daily.sql`` read it.

Downgrading keeps these definitions: they compute what 0016's did, and the files
hold only the current ones (``analytics.analysis_zone`` goes with the schema when
0007 is downgraded).
"""

from pathlib import Path

from alembic import op
from sqlalchemy.orm import Session

from app.services.ops.database import timescale_info

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

APACHE_FILES = ("definitions/series_refresh.sql",)
BOTH_FILES = (
    "definitions/analytics_installation_views.sql",
    "definitions/analytics_room_daily.sql",
)


def upgrade() -> None:
    session = Session(bind=op.get_bind())
    tsl = timescale_info(session).has_continuous_aggregates
    for name in (() if tsl else APACHE_FILES) + BOTH_FILES:
        op.execute((SQL / name).read_text(encoding="utf-8"))


def downgrade() -> None:
    """Nothing to undo: the definitions compute what revision 0016's did."""
