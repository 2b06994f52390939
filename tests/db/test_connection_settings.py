"""The settings every app connection starts with."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def test_app_connections_plan_every_statement_with_its_values(
    session: Session,
) -> None:
    # A generic plan of a prepared series read opens every hypertable chunk.
    mode = session.execute(text("SHOW plan_cache_mode")).scalar_one()

    assert mode == "force_custom_plan"
