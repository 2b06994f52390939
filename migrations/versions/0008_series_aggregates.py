"""Downsampled series: samples_10m / samples_1h / samples_1d on either edition.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 18:00:00

The edition is read at upgrade time. TSL (``timescaledb.license = 'timescale'``):
hierarchical continuous aggregates with refresh policies
(``sql/timescale/versions/0008_series_caggs.sql``). Apache: tables of the same names
and shapes, a watermark and a dirty log (``versions/0008_series_rollups.sql``), kept
by statement triggers on ``samples`` and ``series_refresh()`` (``definitions/``); the
triggers need transition tables on hypertables, TimescaleDB >= 2.18. Both editions get
``series_watermark(level)``, so readers have one code path. The aggregates start empty;
the policies or ``flask series refresh`` fill them, and readers fall back to raw
samples until then.
"""

from pathlib import Path

import sqlalchemy as sa
from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TSL_FILES = ("definitions/series_caggs.sql", "versions/0008_series_caggs.sql")
APACHE_FILES = (
    "versions/0008_series_rollups.sql",
    "definitions/series_dirty_log.sql",
    "definitions/series_refresh.sql",
)
BOTH_FILES = ("definitions/series_watermark.sql",)
APACHE_MIN_VERSION = (2, 18)


def _edition() -> tuple[str, tuple[int, ...]]:
    bind = op.get_bind()
    license_ = bind.execute(
        sa.text("SELECT current_setting('timescaledb.license', true)")
    ).scalar()
    version = bind.execute(
        sa.text("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")
    ).scalar_one()
    numbers = tuple(int(part) for part in version.split("-")[0].split(".")[:2])
    return (license_ or "apache"), numbers


def upgrade() -> None:
    edition, version = _edition()
    if edition == "timescale":
        files = TSL_FILES
    elif version >= APACHE_MIN_VERSION:
        files = APACHE_FILES
    else:
        raise RuntimeError(
            f"TimescaleDB {'.'.join(map(str, version))} (Apache edition) cannot keep the "
            "series rollups: it needs 2.18 or newer (statement triggers with transition "
            "tables on hypertables). Upgrade TimescaleDB or use the TSL edition."
        )
    for name in files + BOTH_FILES:
        op.execute((SQL / name).read_text(encoding="utf-8"))


def downgrade() -> None:
    edition, _ = _edition()
    if edition == "timescale":
        op.execute("DROP MATERIALIZED VIEW IF EXISTS samples_1d")
        op.execute("DROP MATERIALIZED VIEW IF EXISTS samples_1h")
        op.execute("DROP MATERIALIZED VIEW IF EXISTS samples_10m")
        op.execute(
            "DROP FUNCTION IF EXISTS series_create_cagg(text, text, interval, text)"
        )
    else:
        for trigger in (
            "series_log_insert",
            "series_log_update",
            "series_log_delete",
            "series_forget_all",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON samples")
        op.execute(
            "DROP FUNCTION IF EXISTS series_refresh(timestamptz, interval, integer), "
            "series_refresh_levels(timestamptz, interval, integer), "
            "series_refresh_local_days(interval), series_log_new_rows(), series_log_old_rows(), "
            "series_log_changed_rows(), series_forget_all()"
        )
        # TimescaleDB drops one hypertable per statement.
        for table in (
            "samples_1d",
            "samples_1h",
            "samples_10m",
            "samples_dirty",
            "samples_watermark",
        ):
            op.execute(f"DROP TABLE IF EXISTS {table}")
    op.execute("DROP FUNCTION IF EXISTS series_watermark(text)")
