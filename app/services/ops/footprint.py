"""What the stored samples cost on disk, per level, compressed and not.

``flask series storage`` prints it. Every figure is divided by the number of raw
samples, so the levels add up to what one sample costs in all (table, indexes and
TOAST). The compressed part comes from TimescaleDB's compression statistics and
exists on the TSL edition only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.services.ops import database

#: Level name -> relation, raw first.
LEVELS = (
    ("raw", "samples"),
    ("10m", "samples_10m"),
    ("1h", "samples_1h"),
    ("1d", "samples_1d"),
    ("local days", "samples_1d_local"),
)

_SIZE = text("SELECT coalesce(hypertable_size(CAST(:name AS regclass)), 0)")
_COMPRESSED = text(
    "SELECT coalesce(sum(before_compression_total_bytes), 0), "
    "coalesce(sum(after_compression_total_bytes), 0) "
    "FROM hypertable_compression_stats(CAST(:name AS regclass))"
)


@dataclass(frozen=True)
class LevelFootprint:
    """One level's bytes.

    Attributes:
        level: ``raw``, ``10m``, ``1h``, ``1d`` or ``local days``.
        total_bytes: everything the level takes now.
        compressed_bytes: the part in compressed chunks (0 on the Apache edition).
        compressed_bytes_before: what those chunks took before compression.
    """

    level: str
    total_bytes: int
    compressed_bytes: int
    compressed_bytes_before: int

    @property
    def uncompressed_bytes(self) -> int:
        """The part in chunks that are not compressed."""
        return self.total_bytes - self.compressed_bytes


@dataclass(frozen=True)
class Footprint:
    """Bytes per level and the raw sample count they are divided by."""

    edition: str
    samples: int
    levels: tuple[LevelFootprint, ...]

    def per_sample(self, size: int) -> float | None:
        """``size`` bytes per raw sample (None without samples)."""
        return size / self.samples if self.samples else None

    @property
    def total_bytes(self) -> int:
        """All levels together."""
        return sum(level.total_bytes for level in self.levels)


def measure(session: Session) -> Footprint:
    """Measure every level that exists in the connected database."""
    edition = database.timescale_info(session).edition
    samples = int(session.execute(text("SELECT count(*) FROM samples")).scalar_one())
    levels = []
    for level, name in LEVELS:
        if (
            session.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar()
            is None
        ):
            continue
        total = int(session.execute(_SIZE, {"name": name}).scalar_one())
        before = after = 0
        if edition == "timescale":
            row = session.execute(_COMPRESSED, {"name": name}).one()
            before, after = int(row[0]), int(row[1])
        levels.append(LevelFootprint(level, total, after, before))
    return Footprint(edition, samples, tuple(levels))
