"""Search v3's fitness: the verdict's own statistic, measured on the search split.

The exam (``autotts verdict``) is a pick's mean gap to the best-baseline
envelope over 100k-600k tokens on stores it never saw. The search cannot see
those, but it can ask the same question of its own split: the mean gap of a
design's curve to the envelope of the run's search baselines (SC, ASC, ESC,
Parallel-Probe, short-m@k: what the loop evaluates and shows the agent; CMC is
not among them, so a blank start learns nothing from it). Frontier area (v2)
rewards accuracy wherever the curve lies; the gap rewards beating the
baselines at every budget, so a curve that stops short of 600k tokens or dips
below them at either end pays for it.

A design can also win by fitting a few of the split's problems. The score is
therefore a lower quantile of the gap over a bootstrap of problems (one draw
of question indices per dataset, shared by every store of it, by every design
and by the baselines, as the verdict draws them): a lead carried by a handful
of problems has a wide bootstrap and a low quantile; a lead spread over the
split keeps it. The draws are fixed (seed 0), so every design is scored on the
same resamples and the score is a pure function of the curve.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from autotts.discovery.proposers.base import StoreCurves
from autotts.evaluation.verdict import (
    Setting,
    curve_values,
    dataset_of,
    gaps_to,
    log_levels,
    problem_draws,
)

RESAMPLES = 200   # bootstrap draws per score: a quantile to about +-0.05 points, ~5 ms
QUANTILE = 0.2    # the score: this quantile of the resampled mean gap


@dataclass(frozen=True)
class Yardstick:
    """The search split's baselines as verdict settings, and the fixed draws."""

    stores: tuple[str, ...]
    baselines: dict[str, list[Setting]]
    draws: list[np.ndarray]
    levels: np.ndarray
    values: list[tuple[np.ndarray, np.ndarray]]  # every baseline's curve on every draw

    def gaps(self, curves: StoreCurves) -> np.ndarray | None:
        """Mean gap to the envelope, full sample first, then every resample
        (``[R + 1]``); None when a point lacks per-question numbers or a store."""
        g = self.level_gaps(curves)
        return None if g is None else g.mean(axis=0)

    def level_gaps(self, curves: StoreCurves) -> np.ndarray | None:
        """The gap at every token level (rows, ``levels``) on every draw (columns,
        full sample first); None as :meth:`gaps`."""
        pick = design_settings(curves, self.stores)
        if not pick:
            return None
        return gaps_to(curve_values(pick, self.draws), self.values, self.levels)[3]


def yardstick(rows: Sequence[dict], stores: Sequence[str], *, resamples: int = RESAMPLES,
              seed: int = 0) -> Yardstick:
    """The yardstick of the run's search baseline ``rows`` (``baselines/search.json``
    records, per-question rates and tokens) on ``stores``."""
    from autotts.discovery.selection.run_verdict import baseline_curves

    stores = tuple(stores)
    curves = baseline_curves(list(rows), list(stores))
    if not curves:
        raise ValueError("search fitness 'envelope': no search baseline has per-question "
                         f"numbers on every search store ({', '.join(stores)})")
    sizes = [len(next(iter(curves.values()))[0].rates[i]) for i in range(len(stores))]
    draws = problem_draws([dataset_of(s) for s in stores], sizes, resamples, seed)
    values = [curve_values(pts, draws) for pts in curves.values() if pts]
    return Yardstick(stores, curves, draws, log_levels(), values)


def design_settings(curves: StoreCurves, stores: Sequence[str]) -> list[Setting]:
    """One verdict setting per beta that every store has with per-question numbers."""
    per_store = []
    for s in stores:
        pts = curves.get(s) or []
        per_store.append({round(float(p["beta"]), 6): p for p in pts
                          if p.get("q_rate") and p.get("q_tokens")})
    common = sorted(set.intersection(*(set(d) for d in per_store))) if per_store else []
    return [Setting([d[b]["q_rate"] for d in per_store], [d[b]["q_tokens"] for d in per_store],
                    f"beta={b}") for b in common]


def envelope_fitness(curves: StoreCurves, yard: Yardstick,
                     quantile: float = QUANTILE) -> tuple[float, float] | None:
    """(the ``quantile`` of the resampled mean gap, the full-sample mean gap), or
    None when the curve has no per-question numbers."""
    g = yard.gaps(curves)
    if g is None or not np.all(np.isfinite(g)):
        return None
    return float(np.quantile(g[1:], quantile)), float(g[0])
