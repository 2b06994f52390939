"""Storage of samples: chunk interval, compression (TSL), retention that keeps the
aggregates.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 03:00:00

Creates ``samples_retention`` (``sql/timescale/versions/0014_samples_retention.sql``),
where retention records how far it dropped raw chunks, and re-applies
``definitions/series_refresh.sql`` (Apache edition), which no longer recomputes
buckets below that point. Then applies the storage settings of the running
configuration (``SAMPLES_CHUNK_DAYS``, ``SAMPLES_COMPRESS_AFTER_DAYS``,
``SAMPLES_RETENTION_DAYS``) through ``app.services.ops.storage``: the chunk interval
holds for chunks created from now on; compression exists on the TSL edition only.
Downgrading goes back to 7-day chunks and removes the compression policies (chunks
already compressed stay compressed: TimescaleDB keeps them readable and writable).
"""

from pathlib import Path

from flask import current_app

import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

from app.services.access import SYSTEM
from app.services.ops import storage

SQL = Path(__file__).resolve().parents[2] / "sql" / "timescale"

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _edition() -> str:
    license_ = (
        op.get_bind()
        .execute(sa.text("SELECT current_setting('timescaledb.license', true)"))
        .scalar()
    )
    return license_ or "apache"


def upgrade() -> None:
    op.execute((SQL / "versions" / "0014_samples_retention.sql").read_text("utf-8"))
    if _edition() != "timescale":
        op.execute(
            (SQL / "definitions" / "series_refresh.sql").read_text(encoding="utf-8")
        )
    session = Session(bind=op.get_bind())
    storage.apply(
        session, SYSTEM, storage.StoragePolicy.from_config(current_app.config)
    )


def downgrade() -> None:
    session = Session(bind=op.get_bind())
    storage.apply(session, SYSTEM, storage.StoragePolicy(7, 0, 0))
    op.execute("DROP TABLE IF EXISTS samples_retention")
