"""The 10-minute grid rule, on hand-made buckets (no database)."""

from __future__ import annotations

import math

import numpy as np

from app.services.airquality.grid import Buckets, grid_values, room_values

START = 1_704_063_600  # a grid point


def _buckets(*samples: tuple[int, float]) -> Buckets:
    """Bucket raw ``(offset_s, co2)`` samples the way the SQL does."""
    rows: dict[int, list[tuple[int, float]]] = {}
    for offset, co2 in sorted(samples):
        rows.setdefault(offset // 600, []).append((START + offset, co2))
    ks = sorted(rows)
    return Buckets(
        k=np.array(ks, dtype=np.int64),
        n=np.array([len(rows[k]) for k in ks], dtype=np.int64),
        first_s=np.array([rows[k][0][0] for k in ks], dtype=np.float64),
        first_co2=np.array([rows[k][0][1] for k in ks], dtype=np.float64),
        last_s=np.array([rows[k][-1][0] for k in ks], dtype=np.float64),
        last_co2=np.array([rows[k][-1][1] for k in ks], dtype=np.float64),
    )


def test_grid_interpolates_between_samples_less_than_30_minutes_apart() -> None:
    buckets = _buckets((-300, 500.0), (1500, 800.0))

    values = grid_values(buckets, START, 3)

    assert values.tolist() == [550.0, 650.0, 750.0]


def test_grid_takes_a_sample_on_a_grid_point_as_is() -> None:
    buckets = _buckets((0, 700.0), (600, 900.0))

    values = grid_values(buckets, START, 2)

    assert values.tolist() == [700.0, 900.0]


def test_grid_blanks_points_inside_a_gap_longer_than_30_minutes() -> None:
    buckets = _buckets((0, 500.0), (1801, 500.0))

    values = grid_values(buckets, START, 3)

    assert all(math.isnan(v) for v in values[1:3])


def test_grid_keeps_points_inside_a_gap_of_exactly_30_minutes() -> None:
    buckets = _buckets((0, 500.0), (1800, 800.0))

    values = grid_values(buckets, START, 4)

    assert values.tolist() == [500.0, 600.0, 700.0, 800.0]


def test_grid_blanks_an_isolated_sample_on_a_grid_point() -> None:
    buckets = _buckets((-2400, 500.0), (0, 500.0), (2400, 500.0))

    values = grid_values(buckets, START, 1)

    assert math.isnan(values[0])


def test_grid_keeps_a_sample_on_a_grid_point_with_a_neighbour_in_its_bucket() -> None:
    buckets = _buckets((0, 500.0), (300, 600.0), (3600, 500.0))

    values = grid_values(buckets, START, 1)

    assert values.tolist() == [500.0]


def test_grid_uses_samples_just_outside_the_window_for_its_edges() -> None:
    buckets = _buckets((-1200, 400.0), (600, 700.0), (1800, 700.0), (2400, 1000.0))

    values = grid_values(buckets, START, 3)

    assert values.tolist() == [600.0, 700.0, 700.0]


def test_grid_without_samples_is_all_missing() -> None:
    values = grid_values(Buckets.empty(), START, 144)

    assert np.isnan(values).all()


def test_room_values_take_the_highest_node_at_each_point() -> None:
    low = _buckets((0, 500.0), (600, 900.0), (1200, 500.0))
    high = _buckets((0, 700.0), (600, 700.0), (1200, 700.0))

    values = room_values([low, high], START, 3)

    assert values.tolist() == [700.0, 900.0, 700.0]


def test_room_values_skip_a_node_missing_a_point() -> None:
    early = _buckets((0, 500.0), (600, 500.0))
    late = _buckets((1800, 800.0), (2400, 800.0))

    values = room_values([early, late], START, 5)

    assert values.tolist()[:2] == [500.0, 500.0]
    assert math.isnan(values[2])
    assert values.tolist()[3:] == [800.0, 800.0]


def test_room_values_without_nodes_are_all_missing() -> None:
    values = room_values([], START, 6)

    assert np.isnan(values).all()
