"""Accuracy/cost frontiers: which settings are worth running, and one number
that ranks whole curves.

A point is ``(tokens, accuracy)``: fewer tokens is better, higher accuracy is
better. The frontier keeps the points no other point dominates.

Frontier area: the frontier read as a step function, ``f(x)`` = the best
accuracy achievable with at most ``x`` tokens, averaged over log10 tokens on
a common range ``[lo, hi]``::

    area = (1 / log10(hi / lo)) * integral_{log10 lo}^{log10 hi} f(10**u) du

so the result is a mean accuracy in the points' own unit. Why this choice:
budgets span orders of magnitude (10k to 1M tokens), so a log axis gives each
factor of two the same weight; a step (not linear) reading is exactly what a
user can buy, since no setting between two points exists; and normalising by
the range width keeps the number comparable with accuracies. Below the
cheapest point nothing is achievable and ``f`` is ``floor`` (0 by default),
so a curve that does not reach down to ``lo`` is charged for the gap. Compare
frontiers only over the same ``[lo, hi]``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autotts.evaluation.stats import Metric

Point = tuple[float, float]  # (tokens, accuracy)

FRONTIER_AREA = Metric("frontier area (mean accuracy over log10 tokens)",
                       higher_is_better=True, unit="accuracy")


def _checked(points: Sequence[Point]) -> list[Point]:
    out = []
    for i, p in enumerate(points):
        if len(p) != 2:
            raise ValueError(f"point {i}: expected (tokens, accuracy), got {p!r}")
        t, a = float(p[0]), float(p[1])
        if not (math.isfinite(t) and math.isfinite(a)):
            raise ValueError(f"point {i}: tokens and accuracy must be finite, got {p!r}")
        out.append((t, a))
    return out


def pareto_indices(points: Sequence[Point]) -> list[int]:
    """Indices of the non-dominated points, sorted by tokens (ascending).

    A point is dropped when another has no more tokens and no less accuracy
    and differs in at least one; of exact duplicates the first is kept. Along
    the result both tokens and accuracy strictly increase.
    """
    pts = _checked(points)
    order = sorted(range(len(pts)), key=lambda i: (pts[i][0], -pts[i][1], i))
    keep: list[int] = []
    best = -math.inf
    for i in order:
        if pts[i][1] > best:  # beats every cheaper-or-equal point
            keep.append(i)
            best = pts[i][1]
    return keep


def pareto_frontier(points: Sequence[Point]) -> list[Point]:
    """The non-dominated ``(tokens, accuracy)`` points, sorted by tokens."""
    pts = _checked(points)
    return [pts[i] for i in pareto_indices(pts)]


def frontier_area(points: Sequence[Point], lo: float, hi: float, *, floor: float = 0.0) -> float:
    """Mean over ``log10(tokens)`` in ``[lo, hi]`` of the best accuracy
    achievable at or below each token level (see the module docstring);
    returns a number in the accuracy unit. Higher is better."""
    if not (0 < lo < hi and math.isfinite(hi)):
        raise ValueError(f"need 0 < lo < hi (finite), got lo={lo}, hi={hi}")
    front = pareto_frontier(points)
    u_lo, u_hi = math.log10(lo), math.log10(hi)
    edges = [math.log10(t) if t > 0 else -math.inf for t, _ in front] + [math.inf]
    area = floor * max(0.0, min(edges[0], u_hi) - u_lo)  # before the cheapest point
    for j, (_, acc) in enumerate(front):
        start, end = max(edges[j], u_lo), min(edges[j + 1], u_hi)
        if end > start:
            area += acc * (end - start)
    return area / (u_hi - u_lo)


# ---- the best-baseline envelope -------------------------------------------------
#
# Several baselines' curves (name -> points, one point per setting). The
# envelope at x tokens is the best accuracy any baseline reaches with x tokens:
# the maximum of (a) each curve read between its neighbouring settings,
# linearly in log10 tokens, where x lies inside that curve's token range (no
# extrapolation), and (b) every point with at most x tokens (a cheaper
# setting is affordable too, so the envelope never falls as x grows). Below
# the cheapest point of every curve the envelope is undefined (NaN).

Combo = tuple[str, dict[int, float]]  # (curve name, {flat point index: weight})


def _flat(curves: dict[str, Sequence[Point]]) -> list[tuple[str, float, float]]:
    out = []
    for name, pts in curves.items():
        for t, a in _checked(pts):
            if t <= 0:
                raise ValueError(f"{name}: tokens must be > 0 for a log-token envelope, got {t}")
            out.append((name, t, a))
    return out


def envelope_combos(curves: dict[str, Sequence[Point]], x: float) -> list[Combo]:
    """The candidate values of the envelope at ``x`` tokens, as weights over
    the curves' points flattened in the given order (curve by curve); the
    envelope is the largest weighted accuracy. Empty below every curve."""
    flat = _flat(curves)
    combos: list[Combo] = [(n, {i: 1.0}) for i, (n, t, _) in enumerate(flat) if t <= x]
    start = 0
    for name, pts in curves.items():
        idx = sorted(range(start, start + len(pts)), key=lambda i: flat[i][1])
        start += len(pts)
        for lo, hi in zip(idx, idx[1:]):
            t0, t1 = flat[lo][1], flat[hi][1]
            if t0 < x < t1:
                w = math.log(x / t0) / math.log(t1 / t0)
                combos.append((name, {lo: 1.0 - w, hi: w}))
    return combos


def envelope_at(curves: dict[str, Sequence[Point]], x: float) -> tuple[float, str | None]:
    """(envelope accuracy at ``x`` tokens, name of the curve that sets it);
    ``(nan, None)`` when ``x`` is below every curve's cheapest point."""
    acc = [a for _, _, a in _flat(curves)]
    best, src = math.nan, None
    for name, weights in envelope_combos(curves, x):
        v = sum(w * acc[i] for i, w in weights.items())
        if src is None or v > best:
            best, src = v, name
    return best, src


def envelope_curve(curves: dict[str, Sequence[Point]], num: int = 120) -> list[Point]:
    """The envelope sampled for plotting: at every point's tokens and ``num``
    log-spaced token levels between the cheapest and the dearest point."""
    flat = _flat(curves)
    if not flat:
        return []
    lo, hi = min(t for _, t, _ in flat), max(t for _, t, _ in flat)
    xs = {t for _, t, _ in flat}
    if hi > lo:
        step = math.log(hi / lo) / (num - 1)
        xs |= {lo * math.exp(step * j) for j in range(num)}
    xs = sorted(x for x in xs if lo <= x <= hi)
    return [(x, envelope_at(curves, x)[0]) for x in xs]
