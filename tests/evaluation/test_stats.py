"""Bootstrap statistics on cases with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autotts.evaluation import stats


def test_identical_inputs_give_zero_difference():
    rates = np.random.default_rng(1).uniform(size=30).tolist()
    d = stats.paired_difference(rates, rates, resamples=2000)
    assert (d.estimate, d.lo, d.hi) == (0.0, 0.0, 0.0)
    assert d.frac_le_zero == 1.0


def test_always_right_vs_always_wrong_is_100_points():
    d = stats.paired_difference([1.0] * 30, [0.0] * 30, resamples=2000)
    assert (d.estimate, d.lo, d.hi) == (100.0, 100.0, 100.0)
    assert d.frac_le_zero == 0.0


def test_interval_matches_normal_approximation():
    # A right on a Bernoulli(0.6) subset, B never: difference = share of A's
    # right answers, whose bootstrap interval is about p +- 1.96 sqrt(p(1-p)/n).
    n = 400
    a = (np.random.default_rng(7).uniform(size=n) < 0.6).astype(float)
    d = stats.paired_difference(a, np.zeros(n), resamples=20_000, seed=3)
    p = a.mean()
    half = 100 * 1.96 * math.sqrt(p * (1 - p) / n)
    assert d.estimate == pytest.approx(100 * p)
    assert d.lo == pytest.approx(100 * p - half, abs=0.6)
    assert d.hi == pytest.approx(100 * p + half, abs=0.6)


def test_resampling_is_stratified_by_store():
    # Store 1: A beats B on all 10 questions; store 2: they tie on all 30.
    # Keeping each store's size in every resample fixes the difference at 25.
    a = [[1.0] * 10, [0.5] * 30]
    b = [[0.0] * 10, [0.5] * 30]
    d = stats.paired_difference(a, b, resamples=2000)
    assert (d.estimate, d.lo, d.hi) == pytest.approx((25.0, 25.0, 25.0))
    acc = stats.accuracy_interval(a, resamples=2000)
    assert (acc.estimate, acc.lo, acc.hi) == pytest.approx((62.5, 62.5, 62.5))


def test_fixed_seed_repeats_and_other_seed_differs():
    rng = np.random.default_rng(5)
    a, b = rng.uniform(size=30), rng.uniform(size=30)
    first = stats.paired_difference(a, b, resamples=1000, seed=11)
    assert stats.paired_difference(a, b, resamples=1000, seed=11) == first
    assert stats.paired_difference(a, b, resamples=1000, seed=12) != first
    assert first.lo < first.estimate < first.hi


def test_fraction_le_zero_tracks_the_sign():
    a = [1.0] * 5 + [0.0] * 25
    b = [0.0] * 3 + [1.0] * 2 + [0.0] * 25  # A - B is +1 on 3 questions, 0 on the other 27
    d = stats.paired_difference(a, b, resamples=5000)
    assert d.estimate == pytest.approx(100 * 3 / 30)
    # a resample is <= 0 only when it draws none of the 3 winning questions
    assert d.frac_le_zero == pytest.approx((27 / 30) ** 30, abs=0.01)


def test_mismatched_questions_are_refused():
    with pytest.raises(ValueError, match="same questions"):
        stats.paired_difference([1.0, 0.0], [1.0, 0.0, 1.0])
    with pytest.raises(ValueError, match="same questions"):
        stats.paired_difference([[1.0], [0.0, 1.0]], [[1.0, 0.0], [1.0]])
    with pytest.raises(ValueError):
        stats.accuracy_interval([])


def test_ratio_interval():
    b = np.random.default_rng(2).uniform(100, 1000, size=30)
    r = stats.ratio_interval(2 * b, b, resamples=1000)
    assert (r.estimate, r.lo, r.hi) == pytest.approx((2.0, 2.0, 2.0))


def test_seed_summaries():
    pooled = stats.pooled_seed_values([[10.0, 20.0], [40.0, 50.0]], weights=[1, 3])
    assert pooled.tolist() == pytest.approx([32.5, 42.5])
    assert stats.seed_std([1.0, 3.0]) == pytest.approx(1.0)
    assert stats.seed_std([5.0]) == 0.0
    assert stats.ACCURACY.higher_is_better and not stats.TOKENS.higher_is_better
