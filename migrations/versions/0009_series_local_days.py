"""Downsampled series: samples_1d_local, local days in ANALYSIS_TIMEZONE, on either edition.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 22:30:00

A daily series in the analysis zone is the default of the series API; it was folded
from a year of hourly rows per request. This stores those days (zone:
``sql/timescale/versions/0009_series_day_zone.sql``; TSL: a continuous aggregate on
samples_10m with a refresh policy, ``definitions/series_local_days_cagg.sql``; Apache:
a table, ``versions/0009_series_local_days.sql``, kept by ``series_refresh()``, whose
definition already knows the local days: ``definitions/series_refresh.sql``). The zone is ``ANALYSIS_TIMEZONE`` at
upgrade time; readers use the level only for requests in exactly that zone. The level
starts empty; the next refresh (policy or ``flask series refresh``) fills it, and readers
fold hours until then.
"""

from pathlib import Path

from flask import current_app, has_app_context

import sqlalchemy as sa
from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DEFAULT_ZONE = "Europe/Berlin"


def _is_tsl() -> bool:
    license_ = (
        op.get_bind()
        .execute(sa.text("SELECT current_setting('timescaledb.license', true)"))
        .scalar()
    )
    return license_ == "timescale"


def _zone() -> str:
    if has_app_context():
        return str(current_app.config.get("ANALYSIS_TIMEZONE") or DEFAULT_ZONE)
    return DEFAULT_ZONE


def upgrade() -> None:
    for name in (
        "versions/0009_series_day_zone.sql",
        "definitions/series_day_zone.sql",
    ):
        op.execute((SQL / name).read_text(encoding="utf-8"))
    op.get_bind().execute(
        sa.text(
            "INSERT INTO series_day_zone (zone) VALUES (:zone) "
            "ON CONFLICT (singleton) DO UPDATE SET zone = EXCLUDED.zone"
        ),
        {"zone": _zone()},
    )
    names = (
        ("definitions/series_local_days_cagg.sql",)
        if _is_tsl()
        else (
            "versions/0009_series_local_days.sql",
            "definitions/series_local_days_log.sql",
        )
    )
    for name in names:
        op.execute((SQL / name).read_text(encoding="utf-8"))


def downgrade() -> None:
    if _is_tsl():
        op.execute("DROP MATERIALIZED VIEW IF EXISTS samples_1d_local")
    else:
        for trigger in (
            "series_local_log_insert",
            "series_local_log_delete",
            "series_local_forget_all",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON samples_10m")
        op.execute(
            "DROP FUNCTION IF EXISTS series_local_log_rows(), series_local_forget_all()"
        )
        for table in (
            "samples_1d_local",
            "samples_1d_local_dirty",
            "samples_1d_local_watermark",
        ):
            op.execute(f"DROP TABLE IF EXISTS {table}")
        # series_refresh() and series_watermark() stay: without these tables they
        # skip the local days.
    op.execute("DROP FUNCTION IF EXISTS series_day_zone()")
    op.execute("DROP TABLE IF EXISTS series_day_zone")
