"""A candidate's accuracy difference to the best-baseline envelope at matched
tokens, with a paired bootstrap interval.

The envelope (:func:`autotts.evaluation.pareto.envelope_at`) is read at the
candidate's own token count. What the bootstrap resamples, exactly:

- the questions, with replacement, within each store (stratified, as in
  :mod:`autotts.evaluation.stats`); with ``datasets`` given, the problems:
  one draw per dataset shared by all its stores (the models of one benchmark
  answer the same problems), as :func:`autotts.evaluation.verdict.problem_draws`;
  one draw per resample is shared by the candidate and every baseline point,
  so the difference is paired over questions (all points were evaluated on
  the same questions and seeds);
- each point's accuracy is recomputed on the drawn questions from its
  per-question correct rates (averaged over the seeds), as the mean over
  stores of the per-store accuracies (the held-out mean's definition);
- the envelope is rebuilt from the resampled baseline accuracies (the
  leading baseline may change between resamples);
- token coordinates stay at their full-sample values, so the matched token
  level and the interpolation weights do not move.

Seeds (branch orders) are not resampled: they are averaged per question.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from autotts.evaluation.pareto import envelope_at, envelope_combos
from autotts.evaluation.stats import DEFAULT_LEVEL, DEFAULT_RESAMPLES, DEFAULT_SEED
from autotts.evaluation.verdict import problem_draws

RESAMPLED = ("questions within each store, the same draws for the candidate and every "
             "baseline point (paired); accuracies recomputed from per-question correct "
             "rates, envelope rebuilt per resample, tokens held at their full-sample values")
RESAMPLED_PROBLEMS = ("problems: one draw per dataset shared by every store of it (the "
                      "models answer the same problems)" + RESAMPLED[len("questions within "
                                                                         "each store"):])


@dataclass(frozen=True)
class RatedPoint:
    """A curve point: tokens per question, accuracy (%) and per-store lists of
    per-question correct rates (0..1; None when unknown)."""

    tokens: float
    accuracy: float
    rates: Sequence[Sequence[float]] | None = None


@dataclass(frozen=True)
class EnvelopeGap:
    """Candidate minus envelope at the candidate's tokens, in points.

    ``envelope`` and ``source`` (the baseline that sets it) are NaN/None when
    the candidate is cheaper than every baseline point; ``lo``/``hi``/
    ``frac_le_zero`` are NaN when some point has no per-question rates.
    """

    tokens: float
    accuracy: float
    envelope: float
    source: str | None
    # From here the fields of stats.PairedDifference, on purpose: a gap is a paired
    # difference (to the envelope), and reports read both alike.
    estimate: float
    lo: float
    hi: float
    frac_le_zero: float
    resamples: int
    level: float = DEFAULT_LEVEL
    resampled: str = RESAMPLED

    def to_dict(self) -> dict:
        """Plain dict; NaN becomes None so the JSON stays standard."""
        return {k: None if isinstance(v, float) and math.isnan(v) else v
                for k, v in asdict(self).items()}


def _resampled_accuracy(rates: Sequence[Sequence[float]], draws: list[np.ndarray]) -> np.ndarray:
    """[R] mean over stores of 100 x the mean correct rate on each drawn set of questions."""
    if len(rates) != len(draws):
        raise ValueError(f"per-question rates cover {len(rates)} stores, expected {len(draws)}")
    total = np.zeros(draws[0].shape[0]) if draws else np.zeros(0)
    for r, idx in zip(rates, draws):
        r = np.asarray(r, dtype=float)
        if r.size != idx.shape[1]:
            raise ValueError(f"per-question rates of different lengths ({r.size} vs "
                             f"{idx.shape[1]}): points must cover the same questions")
        total += 100.0 * r[idx].mean(axis=1)
    return total / len(draws)


def envelope_gap(candidate: RatedPoint, baselines: dict[str, Sequence[RatedPoint]], *,
                 resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED,
                 level: float = DEFAULT_LEVEL,
                 datasets: Sequence[str] | None = None) -> EnvelopeGap:
    """The candidate's accuracy minus the baselines' envelope at its tokens,
    with a paired bootstrap interval (see the module docstring); returns an
    :class:`EnvelopeGap`. ``datasets`` (one name per store) makes stores of
    the same dataset share their problem draws."""
    curves = {n: [(p.tokens, p.accuracy) for p in pts] for n, pts in baselines.items()}
    env, src = envelope_at(curves, candidate.tokens)
    nan = math.nan
    est = candidate.accuracy - env
    points = [p for pts in baselines.values() for p in pts]
    if math.isnan(env) or candidate.rates is None or any(p.rates is None for p in points):
        return EnvelopeGap(candidate.tokens, candidate.accuracy, env, src, est, nan, nan, nan,
                           0, level)
    # Distinct names draw per store, exactly the draws this function always made.
    names = list(datasets) if datasets is not None else [str(i) for i in
                                                         range(len(candidate.rates))]
    draws = [d[1:] for d in problem_draws(names, [len(r) for r in candidate.rates],
                                          resamples, seed)]
    cand = _resampled_accuracy(candidate.rates, draws)
    acc = np.stack([_resampled_accuracy(p.rates, draws) for p in points])   # [P, R]
    env_r = np.full(resamples, -np.inf)
    for _, weights in envelope_combos(curves, candidate.tokens):
        env_r = np.maximum(env_r, sum(w * acc[i] for i, w in weights.items()))
    diff = cand - env_r
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(diff, [tail, 100 - tail])
    return EnvelopeGap(candidate.tokens, candidate.accuracy, env, src, est, float(lo), float(hi),
                       float(np.mean(diff <= 0)), resamples, level,
                       RESAMPLED if datasets is None else RESAMPLED_PROBLEMS)
