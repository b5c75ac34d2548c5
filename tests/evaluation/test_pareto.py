"""Pareto frontier and frontier area on hand-made points."""

from __future__ import annotations

import pytest

from autotts.evaluation.pareto import (
    FRONTIER_AREA,
    frontier_area,
    pareto_frontier,
    pareto_indices,
)


def test_frontier_drops_dominated_points():
    pts = [(100, 50), (200, 40), (300, 70), (300, 60), (50, 50), (400, 70), (500, 80)]
    assert pareto_indices(pts) == [4, 2, 6]
    assert pareto_frontier(pts) == [(50.0, 50.0), (300.0, 70.0), (500.0, 80.0)]


def test_duplicates_keep_the_first():
    assert pareto_indices([(10, 5), (10, 5), (5, 1)]) == [2, 0]


def test_bad_points_are_refused():
    with pytest.raises(ValueError, match="point 1"):
        pareto_indices([(1, 2), (float("nan"), 3)])


def test_area_is_step_mean_over_log_tokens():
    pts = [(10, 20), (100, 60)]
    # log10 range [1, 3]: 20 on [1, 2), 60 on [2, 3]
    assert frontier_area(pts, 10, 1000) == pytest.approx(40.0)
    # [0, 3]: nothing achievable below 10 tokens (floor 0), then 20, then 60
    assert frontier_area(pts, 1, 1000) == pytest.approx(80 / 3)
    assert frontier_area(pts, 1, 1000, floor=10) == pytest.approx(30.0)


def test_area_uses_best_accuracy_at_or_below_each_level():
    # the 60-point setting is only reached at the top of the range
    assert frontier_area([(10, 20), (1000, 60)], 10, 1000) == pytest.approx(20.0)
    # a dominated point changes nothing; a point cheaper than lo counts from lo
    base = frontier_area([(5, 20), (100, 60)], 10, 1000)
    assert base == pytest.approx(40.0)
    assert frontier_area([(5, 20), (100, 60), (200, 30)], 10, 1000) == pytest.approx(base)


def test_area_ranks_a_dominating_frontier_higher():
    low = [(10, 20), (100, 50)]
    high = [(10, 25), (80, 50)]
    assert frontier_area(high, 10, 1000) > frontier_area(low, 10, 1000)
    assert FRONTIER_AREA.higher_is_better


def test_area_range_is_checked():
    for lo, hi in ((0, 10), (10, 10), (100, 10)):
        with pytest.raises(ValueError):
            frontier_area([(1, 1)], lo, hi)
