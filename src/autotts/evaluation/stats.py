"""Bootstrap statistics over questions, for one or several stores.

The unit of resampling is the question: the paper's 100 seeds only reshuffle
branch order, so they measure the controller's own randomness, not how much
the result would move on another draw of 30 questions. Each question enters
as one number averaged over seeds (e.g. ``EvalResult.question_correct_rate``).

With several stores the questions are concatenated (every question weighs the
same, so the overall accuracy is the question-weighted mean) and resampled
*within* each store (stratified bootstrap): every resample keeps each store's
question count, as the real evaluation does.

All resampling uses ``numpy.random.Generator(PCG64(seed))`` with a fixed
default seed, so reports are reproducible. Intervals are percentile intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

DEFAULT_RESAMPLES = 10_000
DEFAULT_SEED = 0
DEFAULT_LEVEL = 0.95

Groups = Sequence[Sequence[float]]  # one sequence of per-question values per store


@dataclass(frozen=True)
class Metric:
    """A named quantity and its direction, so tables and rankings never guess."""

    name: str
    higher_is_better: bool
    unit: str = ""


ACCURACY = Metric("accuracy", higher_is_better=True, unit="%")
TOKENS = Metric("tokens", higher_is_better=False, unit="tokens/question")
ACCURACY_DIFFERENCE = Metric("accuracy difference (A - B)", higher_is_better=True, unit="points")


@dataclass(frozen=True)
class Interval:
    """A point estimate with its bootstrap percentile interval."""

    # The same estimate/lo/hi/level names as PairedDifference and EnvelopeGap, on purpose.
    estimate: float
    lo: float
    hi: float
    level: float = DEFAULT_LEVEL

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PairedDifference:
    """A - B over the same questions: ``estimate`` (observed mean difference),
    its percentile interval, and ``frac_le_zero``, the fraction of resamples
    whose difference is <= 0 (a one-sided bootstrap p-value for "A > B")."""

    # Fields named as Interval's (plus the test share and the resample count) on
    # purpose: envelope_gap.EnvelopeGap uses the same names, and reports read all three alike.
    estimate: float
    lo: float
    hi: float
    frac_le_zero: float
    resamples: int
    level: float = DEFAULT_LEVEL

    def to_dict(self) -> dict:
        return asdict(self)


def _as_groups(values: Sequence[float] | Groups) -> list[np.ndarray]:
    """One float array per store; a flat sequence is a single store."""
    if len(values) and np.ndim(values[0]) == 0:
        groups = [np.asarray(values, dtype=float)]
    else:
        groups = [np.asarray(g, dtype=float) for g in values]
    if not groups or any(g.ndim != 1 or g.size == 0 for g in groups):
        raise ValueError("expected at least one non-empty list of per-question values per store")
    return groups


def _paired_groups(a, b) -> tuple[list[np.ndarray], list[np.ndarray]]:
    ga, gb = _as_groups(a), _as_groups(b)
    if [g.size for g in ga] != [g.size for g in gb]:
        raise ValueError(f"A and B must cover the same questions; store sizes differ: "
                         f"{[g.size for g in ga]} vs {[g.size for g in gb]}")
    return ga, gb


def resampled_means(groups: list[np.ndarray], resamples: int, seed: int) -> np.ndarray:
    """Mean over all questions of each stratified resample; shape ``(resamples,)``.

    Questions are drawn with replacement within each store; the draws depend
    only on the store sizes and ``seed``, so two inputs of the same shape get
    the same resamples (which is what makes a difference *paired*).
    """
    if resamples < 1:
        raise ValueError(f"resamples must be >= 1, got {resamples}")
    rng = np.random.default_rng(seed)
    total = np.zeros(resamples)
    for g in groups:
        idx = rng.integers(0, g.size, size=(resamples, g.size))
        total += g[idx].sum(axis=1)
    return total / sum(g.size for g in groups)


def _percentiles(samples: np.ndarray, level: float) -> tuple[float, float]:
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(samples, [tail, 100 - tail])
    return float(lo), float(hi)


def paired_difference(a: Sequence[float] | Groups, b: Sequence[float] | Groups, *,
                      resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                      level: float = DEFAULT_LEVEL, scale: float = 100.0) -> PairedDifference:
    """Paired bootstrap of mean(A) - mean(B) over questions; returns a
    :class:`PairedDifference` in points (``scale`` = 100 turns rates into percent).

    ``a`` and ``b`` hold per-question correct rates of two controllers on the
    same questions: one flat list for one store, or one list per store.
    """
    ga, gb = _paired_groups(a, b)
    diffs = [scale * (x - y) for x, y in zip(ga, gb)]
    boot = resampled_means(diffs, resamples, seed)
    lo, hi = _percentiles(boot, level)
    estimate = float(np.concatenate(diffs).mean())
    return PairedDifference(estimate=estimate, lo=lo, hi=hi,
                            frac_le_zero=float(np.mean(boot <= 0)),
                            resamples=resamples, level=level)


def mean_interval(values: Sequence[float] | Groups, *, resamples: int = DEFAULT_RESAMPLES,
                  seed: int = DEFAULT_SEED, level: float = DEFAULT_LEVEL,
                  scale: float = 1.0) -> Interval:
    """Bootstrap interval (over questions, stratified by store) of the mean of
    per-question ``values`` times ``scale``; returns an :class:`Interval`."""
    groups = [scale * g for g in _as_groups(values)]
    lo, hi = _percentiles(resampled_means(groups, resamples, seed), level)
    return Interval(estimate=float(np.concatenate(groups).mean()), lo=lo, hi=hi, level=level)


def accuracy_interval(correct_rate: Sequence[float] | Groups, **kwargs) -> Interval:
    """95% (by default) bootstrap interval of accuracy in percent from
    per-question correct rates (0..1)."""
    return mean_interval(correct_rate, scale=100.0, **kwargs)


def pooled_seed_values(per_store: Sequence[Sequence[float]],
                       weights: Sequence[float]) -> np.ndarray:
    """Per-seed overall values: the ``weights``-weighted mean (e.g. by question
    count) across stores of each store's per-seed values; returns one per seed."""
    arr = np.asarray(per_store, dtype=float)
    w = np.asarray(weights, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != w.size:
        raise ValueError("expected one equally long list of per-seed values per store, "
                         "and one weight per store")
    return (w[:, None] * arr).sum(axis=0) / w.sum()


def seed_std(seed_values: Sequence[float]) -> float:
    """Standard deviation over seeds (population form, as ``EvalResult.summary``);
    0.0 for a single seed. It measures branch-order randomness only."""
    return float(np.std(np.asarray(seed_values, dtype=float)))


def ratio_interval(a: Sequence[float] | Groups, b: Sequence[float] | Groups, *,
                   resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                   level: float = DEFAULT_LEVEL) -> Interval:
    """Paired bootstrap interval of mean(A) / mean(B) over the same questions
    (e.g. per-question tokens); returns an :class:`Interval`."""
    ga, gb = _paired_groups(a, b)
    # The same seed and store sizes give the same draws, so the two means are paired.
    boot = resampled_means(ga, resamples, seed) / resampled_means(gb, resamples, seed)
    lo, hi = _percentiles(boot, level)
    estimate = float(np.concatenate(ga).mean() / np.concatenate(gb).mean())
    return Interval(estimate=estimate, lo=lo, hi=hi, level=level)
