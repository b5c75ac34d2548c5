"""The beta contract: a controller's single knob must buy budget monotonically.

Used by the discovery loop on every candidate and by
:func:`autotts.controllers.check.check_controller` on any controller with a
``beta``.

Rule (checked on the search-split results, per store, before archiving):

1. Monotone cost: for every pair of grid points beta_i < beta_j, mean tokens
   at beta_j >= (1 - tolerance) x mean tokens at beta_i (default tolerance
   2%, relative). Checking all pairs, not only neighbours, catches slow drifts.
2. Budget reach: at the largest beta of the grid, on at least one search
   store, the candidate opens on average >= ``min_branches`` branches per
   question (default 16 of the 64-branch ceiling) or spends >= ``min_sc_share``
   of SC@64's tokens on that store (default 25%).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class ContractPoint(Protocol):
    """One (store, beta) evaluation: what the rule reads (a discovery CellResult is one)."""

    store: str
    params: dict
    tokens: float     # mean tokens per question
    opened: float     # mean branches opened per question


def contract_violations(cells: Sequence[ContractPoint], *, sc64_tokens: dict[str, float],
                        tolerance: float = 0.02, min_branches: float = 16.0,
                        min_sc_share: float = 0.25) -> list[str]:
    """Every broken rule as a readable line; an empty list means the contract holds."""
    by_store: dict[str, list[ContractPoint]] = {}
    for c in cells:
        by_store.setdefault(c.store, []).append(c)
    problems: list[str] = []
    for store, points in by_store.items():
        points = sorted(points, key=lambda c: c.params["beta"])
        for i, lo in enumerate(points):
            for hi in points[i + 1:]:
                if hi.tokens < (1 - tolerance) * lo.tokens:
                    problems.append(
                        f"{store}: tokens fall from {lo.tokens:.0f} at beta={lo.params['beta']:g} "
                        f"to {hi.tokens:.0f} at beta={hi.params['beta']:g} (more than "
                        f"{100 * tolerance:g}% lower); cost must not decrease as beta grows")
                    break
    missed = reach_problem(cells, sc64_tokens=sc64_tokens, min_branches=min_branches,
                           min_sc_share=min_sc_share)
    return problems + ([missed] if missed else [])


def reach_problem(cells: Sequence[ContractPoint], *, sc64_tokens: dict[str, float],
                  min_branches: float = 16.0, min_sc_share: float = 0.25) -> str | None:
    """Rule 2 alone (budget reach): None when it holds, else the readable line.
    The built-in search asks it of its screened curves before proposing one."""
    tops: dict[str, ContractPoint] = {}
    for c in cells:
        if c.store not in tops or c.params["beta"] > tops[c.store].params["beta"]:
            tops[c.store] = c
    reach: list[str] = []
    for store, top in tops.items():
        sc = sc64_tokens.get(store)
        share = top.tokens / sc if sc else 0.0
        if top.opened >= min_branches or share >= min_sc_share:
            return None
        reach.append(f"{store}: {top.opened:.1f} branches, {100 * share:.0f}% of SC@64 tokens")
    return (f"at the largest beta the candidate never opens >= {min_branches:g} branches nor "
            f"spends >= {100 * min_sc_share:g}% of SC@64's tokens on any search store ("
            + "; ".join(reach) + "); beta = 1 must be able to use a large share of the "
            "64-branch budget")
