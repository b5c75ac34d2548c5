"""The finish estimate that decides whether one more round still fits."""

from __future__ import annotations

import pytest

from autotts.discovery.run.budget import (
    HELD_OUT_COST,
    REPORT_S,
    SPAWN_S,
    finish_estimate_s,
    held_out_grid_s,
)


def rounds(*evals: float, screened: bool = False) -> list[dict]:
    return [{"round": n + 1, "status": "ok", "eval_wall_s": e, "grid": [{}] * 11,
             "screened": screened} for n, e in enumerate(evals)]


def test_the_picks_are_costed_as_the_dearest_round_on_the_held_out_stores():
    est = finish_estimate_s(rounds(40.0, 100.0, 60.0), seeds=100, screen_seeds=0, screen_topk=3,
                            n_search=4, n_held=8, baselines_s=5.0)
    picks = 2 * (100.0 * 2 * HELD_OUT_COST + SPAWN_S)
    assert est == pytest.approx(picks + 5.0 * 2 + REPORT_S)


def test_more_rounds_of_the_same_cost_do_not_raise_it():
    """Only the two picks are reserved; the other rounds' Figure-4 points are
    skipped when they would not fit, so they are not counted."""
    kw = dict(seeds=100, screen_seeds=0, screen_topk=3, n_search=4, n_held=8, baselines_s=5.0)
    assert finish_estimate_s(rounds(50.0, 50.0), **kw) == finish_estimate_s(rounds(*[50.0] * 9),
                                                                            **kw)


def test_screened_rounds_are_scaled_to_all_seeds_and_the_reruns_counted():
    est = finish_estimate_s(rounds(10.0, screened=True), seeds=100, screen_seeds=10, screen_topk=3,
                            n_search=4, n_held=8, baselines_s=0.0)
    assert est == pytest.approx((100.0 * 2 * HELD_OUT_COST + SPAWN_S) + 100.0 + REPORT_S)


def test_without_an_ok_round_only_baselines_and_report_are_left():
    assert finish_estimate_s([], seeds=100, screen_seeds=0, screen_topk=3, n_search=4, n_held=8,
                             baselines_s=6.0) == pytest.approx(12.0 + REPORT_S)


def test_with_the_picks_known_only_they_are_reserved():
    """A later round is picked only if its grid then fits (select.picks), so
    the estimate reserves the current picks, not a next round as dear as the dearest."""
    kw = dict(seeds=100, screen_seeds=0, screen_topk=3, n_search=4, n_held=8, baselines_s=0.0)
    done = rounds(100.0, 40.0, 60.0)
    grid = {n: e * 2 * HELD_OUT_COST + SPAWN_S for n, e in ((1, 100.0), (2, 40.0), (3, 60.0))}
    assert finish_estimate_s(done, pick_rounds=(3, 3), **kw) == pytest.approx(grid[3] + REPORT_S)
    assert finish_estimate_s(done, pick_rounds=(2, 3), **kw) == \
        pytest.approx(grid[2] + grid[3] + REPORT_S)
    assert finish_estimate_s(done, pick_rounds=(1, 3), **kw) == \
        pytest.approx(grid[1] + grid[3] + REPORT_S)
    # never more than two picks at the dearest round's cost (the estimate without picks)
    assert finish_estimate_s(done, pick_rounds=(1, 3), **kw) <= finish_estimate_s(done, **kw)


def test_a_screened_round_is_scaled_to_all_seeds_an_unscreened_one_is_not():
    kw = dict(seeds=100, screen_seeds=10, held_scale=2.0)
    assert held_out_grid_s({"eval_wall_s": 10.0, "screened": True}, **kw) == \
        pytest.approx(10.0 * 10 * 2 * HELD_OUT_COST + SPAWN_S)
    assert held_out_grid_s({"eval_wall_s": 10.0, "screened": False}, **kw) == \
        pytest.approx(10.0 * 2 * HELD_OUT_COST + SPAWN_S)
