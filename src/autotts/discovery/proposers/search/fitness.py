"""How the search scores a design: the frontier area of its store-mean curve.

Area over a fixed token range (mean tokens per question) rewards a whole
accuracy-cost curve, not one point; a curve whose cost falls as beta rises
breaks the loop's single-beta contract and scores None.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

from autotts.controllers.contract import reach_problem
from autotts.discovery.proposers.base import StoreCurves
from autotts.evaluation.pareto import frontier_area

Fitness = tuple[float, float]

TOKEN_LO = 100_000   # default frontier-area token range
TOKEN_HI = 600_000


def mean_curve(curves: StoreCurves) -> list[tuple[float, float]]:
    """(tokens, accuracy) per beta, averaged over the stores; only betas every
    store has count."""
    per_store = [{round(float(p["beta"]), 6): p for p in pts} for pts in curves.values() if pts]
    if not per_store:
        return []
    common = sorted(set.intersection(*(set(s) for s in per_store)))
    return [(sum(s[b]["tokens"] for s in per_store) / len(per_store),
             sum(s[b]["accuracy"] for s in per_store) / len(per_store)) for b in common]


def cost_is_monotone(curves: StoreCurves, tolerance: float) -> bool:
    """True when no store's tokens at a larger beta fall more than
    ``tolerance`` (relative) below its tokens at any smaller beta: the loop's
    single-beta contract, checked again here so the search never breeds from
    a candidate the loop would refuse."""
    for pts in curves.values():
        peak = 0.0
        for p in sorted(pts, key=lambda p: p["beta"]):
            if p["tokens"] < peak * (1 - tolerance):
                return False
            peak = max(peak, p["tokens"])
    return True


def fitness(curves: StoreCurves, *, token_lo: float = TOKEN_LO, token_hi: float = TOKEN_HI,
            objective: str = "area", tolerance: float = 0.02) -> Fitness | None:
    """(primary, secondary) to maximise: frontier area of the store-mean curve
    over the token range and its best accuracy, in the objective's order;
    None when there is no usable curve or its cost falls as beta rises."""
    points = mean_curve(curves)
    if not points or not cost_is_monotone(curves, tolerance):
        return None
    area = frontier_area(points, token_lo, token_hi)
    best = max(a for _, a in points)
    if not (math.isfinite(area) and math.isfinite(best)):
        return None
    return (area, best) if objective == "area" else (best, area)


def store_refs(rows, stores, token_lo: float = TOKEN_LO,
               token_hi: float = TOKEN_HI) -> dict[str, float]:
    """Per search store, the frontier area of every search baseline setting on
    it together (their envelope): the bar objective "worst-store" measures
    each store's curve against. ``rows`` are ``baselines/search.json``
    records (numbers may be strings, as that file keeps them)."""
    refs = {}
    for store in stores:
        pts = [(float(r["tokens"]), float(r["accuracy"])) for r in rows if r["store"] == store]
        if not pts:
            raise ValueError(f"search objective 'worst-store': no search baseline on {store}")
        refs[store] = frontier_area(pts, token_lo, token_hi)
    return refs


def worst_store_fitness(curves: StoreCurves, refs: dict[str, float], *,
                        token_lo: float = TOKEN_LO, token_hi: float = TOKEN_HI,
                        tolerance: float = 0.02) -> Fitness | None:
    """(the smallest, the mean) over the search stores of a store's frontier
    area minus its baselines' (:func:`store_refs`): a design must beat the
    baselines on every model of the split, not on their mean; None as
    :func:`fitness`."""
    if not mean_curve(curves) or not cost_is_monotone(curves, tolerance):
        return None
    if set(curves) != set(refs):
        return None
    gaps = [frontier_area([(p["tokens"], p["accuracy"]) for p in curves[s]], token_lo, token_hi)
            - refs[s] for s in refs]
    if not all(math.isfinite(g) for g in gaps):
        return None
    return min(gaps), sum(gaps) / len(gaps)


def reaches(curves: StoreCurves, rule: dict | None, sc64: dict[str, float]) -> bool:
    """Whether the curve meets the loop's budget-reach rule (the beta contract's
    second part, :mod:`autotts.controllers.contract`): at the largest beta, on
    some store, ``min_branches`` branches opened on average or ``min_sc_share``
    of SC@64's tokens. True without a rule (contract off, or a caller that has
    none) and for curves that do not record branches opened."""
    if not rule or any(not pts or "opened" not in pts[0] for pts in curves.values()):
        return True
    points = [SimpleNamespace(store=store, params={"beta": p["beta"]}, tokens=p["tokens"],
                              opened=p["opened"]) for store, pts in curves.items() for p in pts]
    return reach_problem(points, sc64_tokens=sc64, **rule) is None


def mid_tokens(curves: StoreCurves) -> float:
    """Store-mean tokens at the middle beta of the grid (a design's cost class)."""
    points = mean_curve(curves)
    return points[len(points) // 2][0] if points else 0.0
