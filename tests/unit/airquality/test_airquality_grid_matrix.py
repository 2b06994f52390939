"""Many series' grids at once: each row is what its series gives alone, and
rooms combine only their own nodes (no database)."""

from __future__ import annotations

import numpy as np

from app.services.airquality.grid import grid_matrix, grid_values, rooms_values
from tests.unit.airquality.test_airquality_grid import START, _buckets

# Samples only late in the window, none early, and the reverse: a fill or a
# look-up running across rows would carry one into the other.
LATE = _buckets((2400, 900.0), (2700, 1000.0), (3000, 1100.0))
EARLY = _buckets((-300, 500.0), (300, 600.0), (900, 700.0))
EMPTY = _buckets()


def _alone(*series: object) -> list[list[float]]:
    return [grid_values(s, START, 6).tolist() for s in series]  # type: ignore[arg-type]


def test_each_row_equals_its_series_alone() -> None:
    matrix = grid_matrix([LATE, EMPTY, EARLY, LATE], START, 6)

    assert np.array_equal(
        matrix, np.array(_alone(LATE, EMPTY, EARLY, LATE)), equal_nan=True
    )
    assert not np.isnan(matrix[0, 4])
    assert np.isnan(matrix[0, 0])
    assert not np.isnan(matrix[2, 0])
    assert np.isnan(matrix[2, 5])


def test_rooms_take_the_highest_of_their_own_nodes() -> None:
    values = rooms_values(
        [EARLY, LATE, LATE], np.array([0, 0, 2], dtype=np.int64), 3, START, 6
    )

    early, late = _alone(EARLY, LATE)
    assert np.array_equal(values[0], np.fmax(early, late), equal_nan=True)
    assert np.isnan(values[1]).all()  # a room without nodes
    assert np.array_equal(values[2], late, equal_nan=True)
