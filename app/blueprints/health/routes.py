"""Liveness and readiness probes for load balancers and orchestrators."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from app.extensions import db
from app.services.ops import database

blp = Blueprint("health", __name__)
log = logging.getLogger(__name__)

RETRY_AFTER_S = "5"


@blp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Answer 200 while the process is up; touches nothing else."""
    return {"status": "ok"}, 200


@blp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Answer 200 when the database is reachable, migrated and has TimescaleDB."""
    report: dict[str, Any] = {"status": "ok", "database": "ok"}
    try:
        session = db.session()
        info = database.timescale_info(session)
        current = database.current_revision(session)
    except (DBAPIError, SQLAlchemyError) as exc:
        db.session.rollback()
        log.warning("readiness: database unreachable: %s", exc.__class__.__name__)
        return _unavailable(
            report, database="unreachable", reason="database unreachable"
        )
    except database.TimescaleMissingError as exc:
        db.session.rollback()
        return _unavailable(report, timescaledb="missing", reason=str(exc))
    finally:
        db.session.remove()
    head = database.head_revision()
    report["timescaledb"] = {"version": info.version, "edition": info.edition}
    report["schema"] = {"revision": current, "head": head, "at_head": current == head}
    if current != head:
        return _unavailable(
            report, reason="database schema is not at head; run `flask db upgrade`"
        )
    return report, 200, {}


def _unavailable(
    report: dict[str, Any], reason: str, **fields: str
) -> tuple[dict[str, Any], int, dict[str, str]]:
    report.update(fields, status="unavailable", reason=reason)
    return report, 503, {"Retry-After": RETRY_AFTER_S, "Cache-Control": "no-store"}
