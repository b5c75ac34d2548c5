"""The best-baseline envelope (log-token interpolation, dominance, range) and
the paired bootstrap of a candidate's gap to it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autotts.evaluation.envelope_gap import RatedPoint, envelope_gap
from autotts.evaluation.pareto import envelope_at, envelope_curve

CURVES = {
    "A": [(1000.0, 40.0), (10000.0, 60.0)],
    "B": [(2000.0, 55.0), (4000.0, 50.0), (100000.0, 70.0)],
}


def test_interpolates_in_log_tokens():
    # halfway in log10 between 1k and 10k for A: sqrt(10) * 1000 -> 50
    acc, src = envelope_at({"A": CURVES["A"]}, math.sqrt(10) * 1000)
    assert acc == pytest.approx(50.0) and src == "A"


def test_max_over_curves_and_cheaper_points():
    # at 3000: A interpolates to 40 + 20*log10(3) = 49.54; B between 2k and 4k gives 52.5,
    # but B's 2k point (55) is affordable, so the envelope is 55 from B
    acc, src = envelope_at(CURVES, 3000.0)
    assert acc == pytest.approx(55.0) and src == "B"
    # at 9000: A gives 40 + 20*log10(9) = 59.08; B between 4k and 100k: 50 + 20*log(9/4)/log(25)
    want_a = 40 + 20 * math.log10(9)
    want_b = 50 + 20 * math.log(9 / 4) / math.log(25)
    acc, src = envelope_at(CURVES, 9000.0)
    assert acc == pytest.approx(max(want_a, want_b)) and src == "A"


def test_outside_the_range():
    assert math.isnan(envelope_at(CURVES, 999.0)[0])
    assert envelope_at(CURVES, 999.0)[1] is None
    assert envelope_at(CURVES, 1e7) == (70.0, "B")       # flat after the dearest point
    assert envelope_at(CURVES, 1000.0) == (40.0, "A")    # exactly at a point


def test_envelope_curve_never_falls():
    pts = envelope_curve(CURVES, num=50)
    assert pts[0][0] == 1000.0 and pts[-1][0] == 100000.0
    assert all(b[1] >= a[1] - 1e-12 for a, b in zip(pts, pts[1:]))


def test_bad_tokens_are_refused():
    with pytest.raises(ValueError, match="tokens must be > 0"):
        envelope_at({"A": [(0.0, 10.0)]}, 5.0)


def point(tokens, rates):
    rates = [np.asarray(r, dtype=float) for r in rates]
    acc = float(np.mean([100 * r.mean() for r in rates]))
    return RatedPoint(tokens, acc, [r.tolist() for r in rates])


def test_gap_estimate_and_paired_interval():
    rng = np.random.default_rng(1)
    base = rng.random((2, 30))
    lo_pt = point(1000.0, [base[0], base[1]])
    hi_pt = point(10000.0, [np.minimum(1, base[0] + 0.2), np.minimum(1, base[1] + 0.2)])
    cand = point(10000.0, [np.minimum(1, base[0] + 0.3), np.minimum(1, base[1] + 0.3)])
    gap = envelope_gap(cand, {"X": [lo_pt, hi_pt]}, resamples=2000)
    assert gap.source == "X"
    assert gap.estimate == pytest.approx(cand.accuracy - hi_pt.accuracy)
    # the candidate beats the envelope point on every question: paired, the
    # interval stays above 0 even though the accuracies' own intervals overlap
    assert 0 < gap.lo <= gap.estimate <= gap.hi
    assert gap.frac_le_zero == 0.0


def test_gap_without_rates_or_below_range():
    no_rates = RatedPoint(5000.0, 50.0, None)
    gap = envelope_gap(no_rates, {"X": [RatedPoint(1000.0, 40.0, None)]})
    assert gap.estimate == 10.0 and math.isnan(gap.lo)
    assert gap.to_dict()["lo"] is None
    below = envelope_gap(RatedPoint(10.0, 50.0, [[1.0]]), {"X": [point(1000.0, [[0.5]])]})
    assert below.source is None and math.isnan(below.envelope)


def test_gap_refuses_different_questions():
    with pytest.raises(ValueError, match="same questions"):
        envelope_gap(point(2000.0, [[1, 0, 1]]), {"X": [point(1000.0, [[1, 0]])]})
