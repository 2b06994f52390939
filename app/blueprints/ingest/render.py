"""Ingest results as JSON:API documents."""

from __future__ import annotations

import uuid
from decimal import Decimal

from app.jsonapi import JsonObject, collection, resource, single, to_one
from app.services.ingest.batch import BatchReport, Problem
from app.services.ingest.decoders import Reading
from app.services.ingest.single import IngestResult, SampleInput
from app.services.ingest.validation import ONE_TENTH
from app.services.ingest.webhooks import UplinkResult


def sample_id(node_id: uuid.UUID | str, timestamp_s: int) -> str:
    """Return the id of a sample resource: samples have no surrogate key."""
    return f"{node_id}:{timestamp_s}"


def _celsius(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(ONE_TENTH))


def sample_resource(sample: SampleInput | Reading, node_id: uuid.UUID) -> JsonObject:
    """Render a sample as Managair's ingest response renders it (no links)."""
    status = getattr(sample, "measurement_status", "M")
    return resource(
        "Sample",
        sample_id(node_id, sample.timestamp_s),
        {
            "timestamp_s": sample.timestamp_s,
            "co2_ppm": sample.co2_ppm,
            "temperature_celsius": _celsius(sample.temperature_celsius),
            "rel_humidity_percent": sample.rel_humidity_percent,
            "measurement_status": status,
        },
        {"node": to_one("Node", node_id)},
    )


def sample_document(result: IngestResult) -> JsonObject:
    """The document answering a single-sample ingest."""
    return single(sample_resource(result.sample, result.sample.node_id))


def _problem(p: Problem) -> JsonObject:
    return {"row": p.row, "field": p.field, "code": p.code, "detail": p.detail}


def report_meta(report: BatchReport) -> JsonObject:
    """The counts of a batch and its first problems."""
    return {
        "received": report.received,
        "stored": report.stored,
        "duplicate": report.duplicate,
        "conflicting": report.conflicting,
        "rejected": report.rejected,
        "rejections": [_problem(p) for p in report.rejections],
        "conflicts": [_problem(p) for p in report.conflicts],
    }


def batch_document(report: BatchReport) -> JsonObject:
    """The document answering a batch: meta only."""
    return {"meta": report_meta(report)}


def uplink_document(result: UplinkResult) -> JsonObject:
    """The decoded samples of a webhook frame and what was stored."""
    return collection(
        [sample_resource(r, result.node_id) for r in result.readings],
        meta=report_meta(result.report),
    )
