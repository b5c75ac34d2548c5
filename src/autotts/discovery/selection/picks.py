"""Which rounds are handed over: the best by mean search accuracy (the paper's
rule) and the best by the second rule (frontier area, or the proposer's own
fitness when the rounds carry one); optionally within a cost allowance.

One of them is the run's *primary* pick, the one whose verdict is the run's
(issue 30; the rule fixed before any fold table): the "fitness" pick when the
run's proposer has a fitness rule and that pick exists, else the "accuracy"
pick. The other pick is reported beside it. A selection.json written before
the rule has no "primary": it is derived by the same rule from its picks (a
fitness pick there means the run had a fitness rule).
"""

from __future__ import annotations

import math
from collections.abc import Callable


def best_round(done: list[dict]) -> dict | None:
    """The ok round with the best mean search accuracy (earliest on ties), or None."""
    ok = [s for s in done if s.get("status") == "ok"]
    return max(ok, key=lambda s: (s["score"]["best_accuracy"], -s["round"])) if ok else None


def second_rule(ok: list[dict]) -> str:
    """The second pick's rule (the first is :func:`best_round`): "fitness" when
    the rounds carry the proposer's own fitness (the built-in search's: what it
    maximised), else "area"."""
    return "fitness" if any("fitness" in (s.get("score") or {}) for s in ok) else "area"


def picks(done: list[dict], cost: Callable[[dict], float] | None = None,
          allowance: float = math.inf) -> dict[str, int | None]:
    """Round numbers picked by best accuracy and by the second rule (frontier
    area, or the proposer's fitness: :func:`second_rule`); None when no round is ok.

    With ``cost`` (a round's held-out grid in seconds) the picks' grids must
    fit ``allowance`` together: the best-accuracy round among those that fit
    alone, then the best round by the second rule that fits beside it. When
    no round fits at all the unconstrained accuracy pick is both picks (the
    picks are always evaluated, even past the deadline).
    """
    ok = [s for s in done if s.get("status") == "ok"]
    key = second_rule(ok)

    def fits(s: dict, room: float) -> bool:
        return cost is None or cost(s) <= room

    by_acc = best_round([s for s in ok if fits(s, allowance)]) or best_round(ok)
    if by_acc is None:
        return {"accuracy": None, key: None}
    room = allowance - (0.0 if cost is None else cost(by_acc))
    scored = [s for s in ok if not math.isnan(s["score"].get(key, math.nan))]
    beside = [s for s in scored if s is by_acc or fits(s, room)]
    # nothing scored fits beside the accuracy pick: it carries both picks
    second = max(beside, key=lambda s: (s["score"][key], -s["round"])) if beside \
        else (by_acc if scored else None)
    return {"accuracy": by_acc["round"], key: second["round"] if second else None}


def primary_pick(chosen: dict[str, int | None], has_fitness: bool) -> str:
    """The primary pick's kind: "fitness" for a run with a proposer fitness rule
    whose fitness pick exists, else "accuracy" (see the module docstring)."""
    return "fitness" if has_fitness and chosen.get("fitness") is not None else "accuracy"


def selection_primary(sel: dict) -> str:
    """A selection.json's primary pick: its "primary", or for an older one the
    same rule applied to its picks (a fitness pick only exists with a rule)."""
    if sel.get("primary"):
        return sel["primary"]
    picked = sel.get("picks", {})
    return primary_pick(picked, "fitness" in picked)
