"""The verdict's math: envelope readings, the mean gap at log-spaced levels, and
a bootstrap whose unit is the problem (shared by the stores of one dataset)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autotts.evaluation.pareto import envelope_at
from autotts.evaluation.verdict import (
    Setting,
    dataset_of,
    log_levels,
    problem_draws,
    read_curve,
    verdict,
)

Q = 4


def flat(acc: float, tokens: float, stores: int = 1, per_question: bool = True) -> Setting:
    """A setting whose every question has the same rate and tokens on every store."""
    tok = [[tokens] * Q if per_question else tokens for _ in range(stores)]
    return Setting([[acc / 100] * Q for _ in range(stores)], tok)


def test_levels_are_sixteen_log_even_over_100k_600k():
    xs = log_levels()
    assert len(xs) == 16 and xs[0] == pytest.approx(1e5) and xs[-1] == pytest.approx(6e5)
    steps = np.diff(np.log(xs))
    assert np.allclose(steps, steps[0])


def test_dataset_is_the_second_part_of_the_store_name():
    assert dataset_of("Qwen3-4B/aime24") == "aime24"
    assert dataset_of("solo") == "solo"


def test_known_pick_and_baselines_give_the_hand_computed_gaps():
    base = {"B": [flat(40, 1e5), flat(60, 4e5)]}
    pick = [flat(55, 2e5)]
    v = verdict(pick, base, ["d"], levels=[1e5, 2e5, 4e5], at=4e5, resamples=200)
    # 100k lies below the pick's cheapest setting: the gap at 200k counts, where the
    # envelope is halfway (in log tokens) between 40 and 60. At 400k the pick, past its
    # dearest setting, counts with its best accuracy against the envelope's 60.
    assert v.read_at == pytest.approx([2e5, 2e5, 4e5])
    assert v.envelope == pytest.approx([50, 50, 60])
    assert v.pick == pytest.approx([55, 55, 55])
    assert v.gaps == pytest.approx([5, 5, -5])
    assert v.mean_gap.estimate == pytest.approx(5 / 3)
    assert v.at_gap.estimate == pytest.approx(-5)
    # Every question is alike, so no resample moves anything.
    assert v.mean_gap.lo == pytest.approx(5 / 3) and v.mean_gap.hi == pytest.approx(5 / 3)
    assert v.tokens_resampled


def test_envelope_is_the_best_baseline_and_cheaper_settings_count():
    # A: strong cheap, falls later (a cheaper setting stays affordable); C: strong dear.
    base = {"A": [flat(50, 1e5), flat(30, 3e5)], "C": [flat(20, 1.5e5), flat(70, 6e5)]}
    v = verdict([flat(10, 1e5)], base, ["d"], levels=[1e5, 2e5, 3e5, 6e5], resamples=10)
    curves = {n: [(float(np.mean(s.tokens[0])), 100 * float(np.mean(s.rates[0]))) for s in pts]
              for n, pts in base.items()}
    assert v.envelope == pytest.approx([envelope_at(curves, x)[0] for x in v.read_at])
    c_at_3e5 = 20 + 50 * math.log(2) / math.log(4)
    assert v.envelope == pytest.approx([50, 50, max(50, c_at_3e5), 70])


def test_read_curve_matches_pareto_envelope_on_random_curves():
    rng = np.random.default_rng(3)
    tok = rng.uniform(1e4, 1e6, size=(6, 1))
    acc = rng.uniform(0, 100, size=(6, 1))
    xs = np.geomspace(1e4, 1e6, 25)
    got = read_curve(tok, acc, xs[:, None])[:, 0]
    want = [envelope_at({"c": list(zip(tok[:, 0], acc[:, 0]))}, x)[0] for x in xs]
    want = [-math.inf if math.isnan(w) else w for w in want]
    assert got == pytest.approx(want)


def paired_stores(datasets: list[str], seed: int = 1):
    """Two stores whose pick-minus-baseline difference is the same per problem."""
    rng = np.random.default_rng(seed)
    d = rng.choice([-0.3, 0.3], size=30)
    pick = Setting([list(0.5 + d), list(0.5 + d)], [[2e5] * 30, [2e5] * 30])
    base = {"B": [Setting([[0.5] * 30, [0.5] * 30], [[2e5] * 30, [2e5] * 30])]}
    return verdict([pick], base, datasets, levels=[2e5], at=2e5, resamples=4000, seed=seed)


def test_two_stores_of_the_same_problems_widen_the_interval():
    same, other = paired_stores(["aime24", "aime24"]), paired_stores(["aime24", "aime25"])
    assert same.mean_gap.estimate == pytest.approx(other.mean_gap.estimate)
    w_same = same.mean_gap.hi - same.mean_gap.lo
    w_other = other.mean_gap.hi - other.mean_gap.lo
    # Shared problems: the two stores move together, so the width is about sqrt(2) larger.
    assert w_same > 1.25 * w_other
    assert w_same < 1.6 * w_other


def test_shared_draws_are_identical_within_a_dataset_and_keep_row_zero_full():
    draws = problem_draws(["a", "b", "a"], [5, 7, 5], resamples=50, seed=0)
    assert np.array_equal(draws[0], draws[2]) and not np.array_equal(draws[0][:, :5],
                                                                     draws[1][:, :5])
    assert list(draws[1][0]) == list(range(7))
    with pytest.raises(ValueError, match="cannot share problems"):
        problem_draws(["a", "a"], [5, 6], resamples=3)


def test_per_question_tokens_are_resampled_else_held_fixed():
    rates = [[1.0, 0.0, 1.0, 0.0]]
    moving = Setting(rates, [[1e5, 5e5, 1e5, 5e5]])
    base = {"B": [flat(40, 1e5), flat(60, 4e5)]}
    v = verdict([moving], base, ["d"], levels=[3e5], at=3e5, resamples=500)
    assert v.tokens_resampled and "and tokens" in v.resampled
    fixed = verdict([Setting(rates, [3e5])], base, ["d"], levels=[3e5], at=3e5, resamples=500)
    assert not fixed.tokens_resampled and "held fixed" in fixed.resampled
    assert fixed.mean_gap.estimate == pytest.approx(v.mean_gap.estimate)
    assert (fixed.mean_gap.hi - fixed.mean_gap.lo) != pytest.approx(v.mean_gap.hi - v.mean_gap.lo)


def test_envelope_gap_shares_problem_draws_within_a_dataset_when_told():
    from autotts.evaluation.envelope_gap import RatedPoint, envelope_gap

    rng = np.random.default_rng(2)
    d = list(0.5 + rng.choice([-0.3, 0.3], size=30))
    cand = RatedPoint(2e5, 100 * float(np.mean(d)), [d, d])
    base = {"B": [RatedPoint(1e5, 50.0, [[0.5] * 30] * 2), RatedPoint(4e5, 50.0,
                                                                     [[0.5] * 30] * 2)]}
    old = envelope_gap(cand, base, resamples=4000)
    same = envelope_gap(cand, base, resamples=4000, datasets=["aime24", "aime24"])
    other = envelope_gap(cand, base, resamples=4000, datasets=["aime24", "aime25"])
    assert (other.lo, other.hi) == (old.lo, old.hi)  # distinct datasets: the per-store draws
    assert same.hi - same.lo > 1.25 * (other.hi - other.lo)
    assert same.resampled.startswith("problems")


def mixed_run(seed: int) -> tuple[list[Setting], dict, list[str]]:
    """A pick and two baselines on three stores (two share dataset "a"), with
    per-question rates and tokens that vary, so every resample moves."""
    rng = np.random.default_rng(seed)

    def setting(acc: float, tok: float) -> Setting:
        return Setting([list(np.clip(acc + rng.normal(0, 0.2, 20), 0, 1)) for _ in range(3)],
                       [list(tok * rng.uniform(0.5, 1.5, 20)) for _ in range(3)])

    pick = [setting(0.5, 1.5e5), setting(0.6, 4e5)]
    base = {"B": [setting(0.45, 1e5), setting(0.55, 3e5)], "C": [setting(0.58, 6e5)]}
    return pick, base, ["a", "b", "a"]


def test_without_shared_draws_the_verdict_is_unchanged_draw_for_draw():
    # the verdict's own draws, passed in by hand, give bit-identical numbers
    pick, base, sets = mixed_run(5)
    own = problem_draws(sets, [20, 20, 20], resamples=300, seed=7)
    by_set = {"a": own[0][1:], "b": own[1][1:]}
    plain = verdict(pick, base, sets, resamples=300, seed=7)
    given = verdict(pick, base, sets, seed=7, dataset_draws=by_set)
    assert given.to_dict() == plain.to_dict()
    assert plain.resamples == 300


def test_shared_draws_are_made_once_per_dataset_whoever_asks_first():
    from autotts.evaluation.verdict_joint import SharedDraws, dataset_draws

    once = dataset_draws({"aime24": 30, "aime25": 30, "hmmt25": 30}, resamples=50, seed=3)
    # a dataset's draw does not depend on which other datasets are drawn with it
    alone = dataset_draws({"aime25": 30}, resamples=50, seed=3)
    assert np.array_equal(alone["aime25"], once["aime25"])
    assert not np.array_equal(once["aime24"], once["aime25"])
    shared = SharedDraws(50, seed=3)
    first = shared.get(["aime25", "hmmt25"], [30, 30])
    second = shared.get(["aime24", "hmmt25"], [30, 30])
    assert second["hmmt25"] is first["hmmt25"]  # the same array for every later verdict
    for name in once:
        assert np.array_equal(shared.draws[name], once[name])
    # problem_draws applies a shared draw to every store of the dataset, row 0 the full sample
    rows = problem_draws(["aime25", "hmmt25", "aime25"], [30, 30, 30], 0, shared=once)
    assert np.array_equal(rows[0][1:], once["aime25"]) and np.array_equal(rows[0], rows[2])
    assert list(rows[1][0]) == list(range(30))
    with pytest.raises(ValueError, match="no shared draw"):
        problem_draws(["other"], [30], 0, shared=once)


def test_gap_vectors_are_the_verdict_under_the_same_draws():
    from autotts.evaluation.verdict import gap_vectors
    from autotts.evaluation.verdict_joint import dataset_draws, mean_gap_of

    pick, base, sets = mixed_run(6)
    draws = dataset_draws({"a": 20, "b": 20}, resamples=400, seed=1)
    v = verdict(pick, base, sets, dataset_draws=draws)
    mean_vec, at_vec = gap_vectors(pick, base, sets, draws)
    assert mean_vec.shape == (401,) and v.resamples == 400
    assert mean_vec[0] == v.mean_gap.estimate and at_vec[0] == v.at_gap.estimate
    # the mean of two identical jobs has the job's own estimate and interval
    two = mean_gap_of([mean_vec, mean_vec.copy()])
    assert (two.estimate, two.lo, two.hi, two.frac_le_zero) == \
        (v.mean_gap.estimate, v.mean_gap.lo, v.mean_gap.hi, v.mean_gap.frac_le_zero)
    # a different job under the same draws: its mean's interval is the row-wise mean's
    other_pick, other_base, _ = mixed_run(8)
    other_vec, _ = gap_vectors(other_pick, other_base, sets, draws)
    both = mean_gap_of([mean_vec, other_vec])
    assert both.estimate == pytest.approx((mean_vec[0] + other_vec[0]) / 2)
    lo, hi = np.percentile((mean_vec[1:] + other_vec[1:]) / 2, [2.5, 97.5])
    assert (both.lo, both.hi) == (pytest.approx(lo), pytest.approx(hi))
