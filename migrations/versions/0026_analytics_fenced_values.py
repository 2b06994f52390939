"""Analytics: a condition on readings or names waits for the views' filter.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 11:00:00

``analytics.installation_samples`` is a security-barrier view, but PostgreSQL may
evaluate a leakproof condition an analyst writes (``co2_ppm > 1000``,
``room_name = '...'``) before the view's filter, in the scans of every
organization's rows, and the row counts of ``EXPLAIN ANALYZE`` told how many of
them matched: with a few queries an analyst could recover another organization's
readings. The filtered rows now come from ``public.analytics_installation_samples``
(the former view, which analysts cannot read), and ``analytics.installation_samples``
passes the measured values and the names through the volatile
``analytics.opaque()``, so such a condition waits until the filter has run. The
aggregate views read the inner view (``definitions/analytics_installation_views.sql``,
``definitions/analytics_room_daily.sql``). The views return the same rows and
types as before.

Downgrading moves the inner view back to ``analytics.installation_samples`` (the
aggregate views follow it) and grants it to the analyst roles again; its column
comments are not restored.
"""

from pathlib import Path

from alembic import op

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

FILES = (
    "definitions/analytics_installation_views.sql",
    "definitions/analytics_room_daily.sql",
)


def upgrade() -> None:
    for name in FILES:
        op.execute((SQL / name).read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute("DROP VIEW analytics.installation_samples")
    op.execute("DROP FUNCTION analytics.opaque(anyelement)")
    op.execute("ALTER VIEW public.analytics_installation_samples SET SCHEMA analytics")
    op.execute(
        "ALTER VIEW analytics.analytics_installation_samples"
        " RENAME TO installation_samples"
    )
    op.execute(
        """
        DO $$
        DECLARE role_name text;
        BEGIN
            FOR role_name IN SELECT a.role_name FROM analyst_roles AS a LOOP
                EXECUTE format(
                    'GRANT SELECT ON analytics.installation_samples TO %I', role_name);
            END LOOP;
        END $$
        """
    )
