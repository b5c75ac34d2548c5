"""One candidate's search-split numbers: best accuracy (the paper's rule) and
frontier area (ours), both over the mean of the search stores."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

from autotts.discovery.evaluate import CellResult
from autotts.evaluation.pareto import frontier_area


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


def score_cells(cells: Sequence[CellResult], sc64: dict[str, float], *, contract: bool) -> dict:
    """best_accuracy / best_tokens / best_params, area, top_accuracy / top_tokens / top_params."""
    points = mean_points(cells)
    best = max(points, key=lambda p: (p["accuracy"], -p["tokens"]))
    top = top_point(points, contract)
    return {"best_accuracy": best["accuracy"], "best_tokens": best["tokens"],
            "best_params": best["params"], "area": area(cells, sc64),
            "top_accuracy": top["accuracy"], "top_tokens": top["tokens"],
            "top_params": top["params"]}
