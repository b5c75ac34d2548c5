"""Search v3's "envelope" fitness: the verdict's mean gap, on the search split,
at a lower bootstrap quantile."""

from __future__ import annotations

import numpy as np
import pytest

from autotts.discovery.proposers.search.evolve import Settings
from autotts.discovery.proposers.search.proposer import SearchProposer
from autotts.discovery.proposers.search.yardstick import (
    design_settings,
    envelope_fitness,
    yardstick,
)
from autotts.evaluation.verdict import dataset_of, verdict

STORES = ("M1/toy", "M2/toy")
Q = 20


def _row(store, cid, params, rates, tokens):
    return {"store": store, "controller": cid, "params": params,
            "accuracy": 100 * float(np.mean(rates)), "tokens": float(np.mean(tokens)),
            "question_correct_rate": list(rates), "question_tokens": list(tokens)}


def _baselines():
    rng = np.random.default_rng(1)
    rows = []
    for n, t in ((1, 50_000.0), (8, 400_000.0), (64, 3_200_000.0)):
        for s in STORES:
            rows.append(_row(s, "sc", {"n": n}, rng.uniform(0.2 + 0.05 * np.log2(n), 0.8, Q),
                             np.full(Q, t)))
    return rows


def _curve(rates_at, tokens_at):
    """A design whose per-question rate at beta b is rates_at(b) (same on both stores)."""
    return {s: [{"beta": b, "accuracy": 100 * float(np.mean(rates_at(b))),
                 "tokens": tokens_at(b), "q_rate": list(rates_at(b)),
                 "q_tokens": [tokens_at(b)] * Q} for b in (0.0, 0.5, 1.0)] for s in STORES}


def test_the_full_sample_score_is_the_verdicts_mean_gap():
    rows = _baselines()
    yard = yardstick(rows, STORES)
    rng = np.random.default_rng(2)
    rates = {b: rng.uniform(0, 1, Q) for b in (0.0, 0.5, 1.0)}
    curves = _curve(lambda b: rates[b], lambda b: 100_000 + 500_000 * b)
    low, full = envelope_fitness(curves, yard, quantile=0.2)
    from autotts.discovery.selection.run_verdict import baseline_curves
    ref = verdict(design_settings(curves, STORES), baseline_curves(rows, list(STORES)),
                  [dataset_of(s) for s in STORES], resamples=10)
    assert full == pytest.approx(ref.mean_gap.estimate, abs=1e-12)
    assert low <= full + 1e-9 or low < np.quantile(yard.gaps(curves)[1:], 0.5) + 1e-12


def test_a_lead_on_a_few_problems_scores_below_a_spread_lead():
    """Same full-sample gain; one carries it on 2 problems, the other on all 20:
    the lower quantile prefers the spread one."""
    rows = _baselines()
    yard = yardstick(rows, STORES)
    base = np.full(Q, 0.5)
    spread = base + 0.05      # +0.05 on each of the 20 problems
    few = base.copy()
    few[:2] += 0.5            # +0.5 on 2 of them: the same +0.05 on average
    s_spread = envelope_fitness(_curve(lambda b: spread, lambda b: 200_000 + 300_000 * b), yard)
    s_few = envelope_fitness(_curve(lambda b: few, lambda b: 200_000 + 300_000 * b), yard)
    assert s_spread[1] == pytest.approx(s_few[1], abs=1e-9)   # same full-sample gap
    assert s_spread[0] > s_few[0]                             # lower quantile differs


def test_settings_score_refuses_a_falling_cost_and_needs_a_yardstick():
    rows = _baselines()
    curves = _curve(lambda b: np.full(Q, 0.5), lambda b: 300_000 - 200_000 * b)
    with pytest.raises(ValueError, match="baselines"):
        Settings(objective="envelope").score(curves)
    from dataclasses import replace
    s = replace(Settings(objective="envelope"), yardstick=yardstick(rows, STORES))
    assert s.score(curves) is None
    rising = _curve(lambda b: np.full(Q, 0.5), lambda b: 100_000 + 200_000 * b)
    assert s.score(rising) is not None


def test_the_loops_fitness_rule_reads_the_baselines_lazily():
    rows = _baselines()
    calls = []

    def provider():
        calls.append(1)
        return rows
    rule = SearchProposer.fitness_rule(search_baselines=provider, objective="envelope")
    assert calls == []
    curves = _curve(lambda b: np.full(Q, 0.6), lambda b: 100_000 + 400_000 * b)
    first = rule(curves)
    assert rule(curves) == first and calls == [1]
    assert first == envelope_fitness(curves, yardstick(rows, STORES))[0]


def test_points_without_per_question_numbers_get_no_envelope_score():
    yard = yardstick(_baselines(), STORES)
    curves = {s: [{"beta": 0.0, "accuracy": 50.0, "tokens": 1e5}] for s in STORES}
    assert envelope_fitness(curves, yard) is None


def test_level_gaps_are_the_verdicts_per_level_gaps_and_average_to_the_score():
    rows = _baselines()
    yard = yardstick(rows, STORES, resamples=3)
    rng = np.random.default_rng(3)
    rates = {b: rng.uniform(0, 1, Q) for b in (0.0, 0.5, 1.0)}
    curves = _curve(lambda b: rates[b], lambda b: 100_000 + 500_000 * b)
    per_level = yard.level_gaps(curves)
    assert per_level.shape == (len(yard.levels), 4)
    assert np.allclose(per_level.mean(axis=0), yard.gaps(curves))
    from autotts.discovery.selection.run_verdict import baseline_curves
    ref = verdict(design_settings(curves, STORES), baseline_curves(rows, list(STORES)),
                  [dataset_of(s) for s in STORES], resamples=3)
    assert np.allclose(per_level[:, 0], ref.gaps)
    assert yard.level_gaps({s: [] for s in STORES}) is None
