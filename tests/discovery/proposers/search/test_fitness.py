"""The search's fitness: frontier area of the store-mean curve, None for a
cost that falls as beta rises."""

from __future__ import annotations

import pytest

from autotts.discovery.proposers.search.fitness import fitness, mean_curve, mid_tokens


def test_fitness_is_the_frontier_area_of_the_store_mean_curve():
    curves = {"A": [{"beta": 0.0, "accuracy": 50, "tokens": 100_000},
                    {"beta": 1.0, "accuracy": 60, "tokens": 400_000}],
              "B": [{"beta": 0.0, "accuracy": 70, "tokens": 300_000},
                    {"beta": 1.0, "accuracy": 80, "tokens": 800_000},
                    {"beta": 0.5, "accuracy": 99, "tokens": 500_000}]}  # not on every store
    assert mean_curve(curves) == [(200_000, 60), (600_000, 70)]
    area, best = fitness(curves, token_lo=100_000, token_hi=1_000_000)
    assert best == 70
    assert area == pytest.approx((60 * 0.4771 + 70 * 0.2218) / 1.0, abs=0.01)
    assert fitness(curves, objective="accuracy")[0] == 70
    assert fitness({}) is None
    assert mid_tokens(curves) == 600_000


def test_a_cost_that_falls_with_beta_gets_no_fitness():
    rising = {"A": [{"beta": 0.0, "accuracy": 50, "tokens": 100_000},
                    {"beta": 0.5, "accuracy": 55, "tokens": 99_000},   # within 2%: noise
                    {"beta": 1.0, "accuracy": 60, "tokens": 300_000}]}
    falling = {"A": [{"beta": 0.0, "accuracy": 50, "tokens": 100_000},
                     {"beta": 0.5, "accuracy": 55, "tokens": 300_000},
                     {"beta": 1.0, "accuracy": 60, "tokens": 250_000}]}
    assert fitness(rising) is not None
    assert fitness(falling) is None


def test_a_slow_drift_down_is_caught_too():
    drift = {"A": [{"beta": b / 4, "accuracy": 50, "tokens": 100_000 * (1 - 0.015 * b)}
                   for b in range(5)]}  # each step -1.5%, -6% overall
    assert fitness(drift) is None


def test_reach_is_the_loops_budget_reach_rule():
    from autotts.discovery.proposers.search.fitness import reaches

    rule = {"min_branches": 16.0, "min_sc_share": 0.25}
    sc64 = {"A": 1_000_000.0, "B": 1_000_000.0}

    def curves(opened_b, tokens_b):
        return {"A": [{"beta": 0.0, "accuracy": 1, "tokens": 1e4, "opened": 2.0},
                      {"beta": 1.0, "accuracy": 1, "tokens": 1e5, "opened": 8.0}],
                "B": [{"beta": 1.0, "accuracy": 1, "tokens": tokens_b, "opened": opened_b},
                      {"beta": 0.0, "accuracy": 1, "tokens": 1e4, "opened": 40.0}]}

    assert not reaches(curves(15.9, 2.4e5), rule, sc64)   # only beta 0 opens 16 or more
    assert reaches(curves(16.0, 1e5), rule, sc64)         # branches on one store suffice
    assert reaches(curves(1.0, 2.5e5), rule, sc64)        # or a quarter of SC@64's tokens
    assert not reaches(curves(1.0, 2.5e5), rule, {})      # no SC@64 known: branches only
    assert reaches(curves(1.0, 1e5), None, sc64)          # no rule (contract off)


def _base_rows():
    """Search baselines as ``baselines/search.json`` keeps them (numbers as strings)."""
    return [{"store": s, "controller": "sc", "params": "{'n': %d}" % n,
             "accuracy": str(acc), "tokens": str(tok)}
            for s, pts in (("A", ((1, 40, 100_000), (8, 50, 400_000))),
                           ("B", ((1, 70, 100_000), (8, 72, 400_000))))
            for n, acc, tok in pts]


def test_worst_store_scores_the_smallest_per_store_lead_over_the_baselines():
    from autotts.discovery.proposers.search.fitness import store_refs, worst_store_fitness
    from autotts.evaluation.pareto import frontier_area

    refs = store_refs(_base_rows(), ["A", "B"], 100_000, 1_000_000)
    assert refs["A"] == pytest.approx(frontier_area([(1e5, 40), (4e5, 50)], 1e5, 1e6))
    # +10 points on A everywhere, +1 on B: the score is B's lead, the mean beside it
    curves = {"A": [{"beta": 0.0, "accuracy": 50, "tokens": 100_000},
                    {"beta": 1.0, "accuracy": 60, "tokens": 400_000}],
              "B": [{"beta": 0.0, "accuracy": 71, "tokens": 100_000},
                    {"beta": 1.0, "accuracy": 73, "tokens": 400_000}]}
    worst, mean = worst_store_fitness(curves, refs, token_lo=100_000, token_hi=1_000_000)
    assert worst == pytest.approx(1.0)
    assert mean == pytest.approx(5.5)
    # the store-mean area cannot tell a lead on every store from one carried by A
    carried = {**curves, "B": [{"beta": 0.0, "accuracy": 69, "tokens": 100_000},
                               {"beta": 1.0, "accuracy": 71, "tokens": 400_000}]}
    assert worst_store_fitness(carried, refs, token_lo=100_000, token_hi=1_000_000)[0] < 0
    assert worst_store_fitness({"A": curves["A"]}, refs) is None  # a store missing
    with pytest.raises(ValueError, match="no search baseline on C"):
        store_refs(_base_rows(), ["A", "C"])


def test_the_worst_store_objective_needs_and_uses_the_search_baselines():
    from autotts.discovery.proposers.search.evolve import Settings
    from autotts.discovery.proposers.search.proposer import SearchProposer, with_baselines

    curves = {"A": [{"beta": 0.0, "accuracy": 50, "tokens": 100_000},
                    {"beta": 1.0, "accuracy": 60, "tokens": 400_000}],
              "B": [{"beta": 0.0, "accuracy": 71, "tokens": 100_000},
                    {"beta": 1.0, "accuracy": 73, "tokens": 400_000}]}
    with pytest.raises(ValueError, match="worst-store"):
        Settings(objective="worst-store").score(curves)
    scored = with_baselines(Settings(objective="worst-store"), _base_rows(), ["A", "B"])
    rule = SearchProposer.fitness_rule(search_baselines=_base_rows, objective="worst-store")
    assert rule(curves) == pytest.approx(scored.score(curves)[0])
    assert with_baselines(Settings(), _base_rows(), ["A", "B"]) == Settings()
