"""One candidate's search-split numbers: best accuracy (the paper's rule),
frontier area (ours), both over the mean of the search stores, and, when the
proposer defines one, its own fitness of the curves (the built-in search's
frontier area over a fixed token range)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence

from autotts.discovery.proposers.base import StoreCurves
from autotts.discovery.sandbox.evaluate import CellResult
from autotts.evaluation.pareto import frontier_area

FitnessRule = Callable[[StoreCurves], "float | None"]


def curves_of(cells: Sequence[CellResult]) -> StoreCurves:
    """Per store, one point per setting: its params plus accuracy, tokens and
    branches opened, and where recorded per question the correct rate and mean
    tokens over the seeds (``q_rate``, ``q_tokens``: what the search's "envelope"
    fitness reads); what proposers see of a round, see ``RoundSummary.curves``."""
    curves: StoreCurves = {}
    for c in cells:
        point = {**c.params, "accuracy": c.accuracy, "tokens": c.tokens, "opened": c.opened}
        if c.question_correct_rate and c.question_tokens:
            point.update(q_rate=list(c.question_correct_rate), q_tokens=list(c.question_tokens))
        curves.setdefault(c.store, []).append(point)
    return curves


def frontier_range(sc64_tokens: float) -> tuple[float, float]:
    """Token range of the frontier area on one store: one SC branch to SC@64."""
    return sc64_tokens / 64, sc64_tokens


def mean_points(cells: Sequence[CellResult]) -> list[dict]:
    """Per setting, the mean accuracy and tokens over stores (grid order kept)."""
    groups: dict[str, list[CellResult]] = {}
    for c in cells:
        groups.setdefault(json.dumps(c.params, sort_keys=True), []).append(c)
    return [{"params": g[0].params, "accuracy": sum(c.accuracy for c in g) / len(g),
             "tokens": sum(c.tokens for c in g) / len(g),
             "opened": sum(c.opened for c in g) / len(g)}
            for g in groups.values()]


def area(cells: Sequence[CellResult], sc64: dict[str, float]) -> float:
    """Mean over stores of the frontier area on that store's SC range (nan without SC@64)."""
    by_store: dict[str, list[tuple[float, float]]] = {}
    for c in cells:
        by_store.setdefault(c.store, []).append((c.tokens, c.accuracy))
    values = [frontier_area(pts, *frontier_range(sc64[s])) for s, pts in by_store.items()
              if sc64.get(s)]
    return sum(values) / len(values) if values else math.nan


def top_point(points: list[dict], contract: bool) -> dict:
    """The "beta = 1" point: largest beta under the contract, else the best setting."""
    if contract:
        return max(points, key=lambda p: p["params"].get("beta", 0.0))
    return max(points, key=lambda p: (p["accuracy"], -p["tokens"]))


def score_cells(cells: Sequence[CellResult], sc64: dict[str, float], *, contract: bool,
                fitness: FitnessRule | None = None) -> dict:
    """best_accuracy / best_tokens / best_params, area, top_accuracy / top_tokens /
    top_params; with a proposer's ``fitness`` rule also ``fitness`` (nan when
    the rule gives none, e.g. a curve whose cost falls as beta rises)."""
    points = mean_points(cells)
    best = max(points, key=lambda p: (p["accuracy"], -p["tokens"]))
    top = top_point(points, contract)
    score = {"best_accuracy": best["accuracy"], "best_tokens": best["tokens"],
             "best_params": best["params"], "area": area(cells, sc64),
             "top_accuracy": top["accuracy"], "top_tokens": top["tokens"],
             "top_params": top["params"]}
    if fitness is not None:
        value = fitness(curves_of(cells))
        score["fitness"] = math.nan if value is None else float(value)
    return score
