"""Downsampled series: samples_1mo, UTC months, on either edition.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 04:00:00

The sample counts of the node and installation lists added one stored day per node
and day of the window, so their cost grew with the history. Whole months of a window
now come from one row each. TSL: a hierarchical continuous aggregate on samples_1d
with a refresh policy (``sql/timescale/versions/0016_series_months_cagg.sql``).
Apache: a table filled from samples_1d at upgrade
(``versions/0016_series_months.sql``), kept by ``series_refresh()``
(``definitions/series_refresh.sql``), emptied with the other levels
(``definitions/series_dirty_log.sql``), its watermark from ``series_watermark('1mo')``
(``definitions/series_watermark.sql``). Downgrading drops the level; the functions
stay, as they skip it when the table does not exist.
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TSL_FILES = ("versions/0016_series_months_cagg.sql",)
APACHE_FILES = (
    "versions/0016_series_months.sql",
    "definitions/series_refresh.sql",
    "definitions/series_dirty_log.sql",
)
BOTH_FILES = ("definitions/series_watermark.sql",)


def _is_tsl() -> bool:
    license_ = (
        op.get_bind()
        .execute(sa.text("SELECT current_setting('timescaledb.license', true)"))
        .scalar()
    )
    return license_ == "timescale"


def upgrade() -> None:
    for name in (TSL_FILES if _is_tsl() else APACHE_FILES) + BOTH_FILES:
        op.execute((SQL / name).read_text(encoding="utf-8"))


def downgrade() -> None:
    if _is_tsl():
        op.execute("DROP MATERIALIZED VIEW IF EXISTS samples_1mo")
    else:
        op.execute("DROP TABLE IF EXISTS samples_1mo")
