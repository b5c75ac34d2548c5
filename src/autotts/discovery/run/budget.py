"""The wall budget as a real deadline over the whole job.

``[caps] wall_minutes`` (``--budget-minutes``) covers everything: the
baselines, the rounds, selection (with the screening re-runs), the held-out
evaluation and the report. Before each new round the loop asks whether one
more round *and* the work after the last round still fit; the estimate of
that work is made from the times measured in this run (round evaluation
times scaled by seeds and stores; see :func:`finish_estimate_s`), reserving
the held-out grids of the current picks. After the rounds, a round is a pick
only if its held-out grid fits what is left beside the other pick
(``selection.heldout.budget_picks``); the held-out evaluation of rounds that are not
picks (the Figure-4 points) is skipped when it would run past the deadline.
The report says what the budget cut.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

# The held-out reference curves (envelope families, CMC; 8.4 s) and the report with its
# figures (5.3 s), measured on blank-s1 of results/search-v2 (2-core machine), plus the
# report's verdict (its bootstrap: 1.7 s a pick on 8 stores, 56 settings, same machine),
# plus margin.
REPORT_S = 19.0
SPAWN_S = 1.5    # allowance for starting one sandboxed evaluation (children, imports)
# Held-out grid time per store over the same grid's search time per store:
# 0.75-1.27 measured on the picks of the search-v2 jobs (results/search-v2);
# an underestimate makes the whole job overrun its budget, so the top of it, plus margin.
HELD_OUT_COST = 1.3


@dataclass
class Budget:
    """Seconds allowed (``total_s``; 0 = no deadline) and seconds already used."""

    total_s: float
    spent_before_s: float = 0.0      # rounds finished by earlier processes of this run
    t0: float = field(default_factory=time.monotonic)
    notes: list[str] = field(default_factory=list)

    @property
    def limited(self) -> bool:
        """Whether there is a deadline at all."""
        return self.total_s > 0

    def spent_s(self) -> float:
        """Seconds used so far: earlier processes' rounds plus this process's wall time."""
        return self.spent_before_s + time.monotonic() - self.t0

    def left_s(self) -> float:
        """Seconds to the deadline (infinite without one)."""
        return self.total_s - self.spent_s() if self.limited else float("inf")

    def fits(self, seconds: float) -> bool:
        """Whether ``seconds`` more work ends before the deadline."""
        return seconds <= self.left_s()

    def note(self, text: str) -> None:
        """Remember what the budget made the run do (shown to the user, kept in run.json)."""
        self.notes.append(text)


def _mean(xs: list[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def round_estimate_s(done: list[dict]) -> float:
    """Expected wall time of one more round: the mean of the finished ones."""
    return _mean([float(s.get("wall_s") or 0.0) for s in done])


def held_out_grid_s(state: dict, *, seeds: int, screen_seeds: int, held_scale: float) -> float:
    """Expected seconds of one round's whole grid on held-out: its search
    evaluation scaled to all seeds (a screened round ran ``screen_seeds``) and
    to the held-out stores (``held_scale``), times ``HELD_OUT_COST``, plus one spawn."""
    ran = screen_seeds if state.get("screened") and screen_seeds else seeds
    search_s = float(state.get("eval_wall_s") or 0.0) * seeds / ran
    return search_s * held_scale * HELD_OUT_COST + SPAWN_S


def finish_estimate_s(done: list[dict], *, seeds: int, screen_seeds: int, screen_topk: int,
                      n_search: int, n_held: int, baselines_s: float,
                      pick_rounds: tuple[int, ...] | None = None) -> float:
    """Expected seconds for selection, held-out and the report after ``done``
    and one more round.

    The picks evaluate their whole grid on ``n_held`` stores with all seeds
    (:func:`held_out_grid_s`). With ``pick_rounds`` (the current picks by
    accuracy and by area or fitness) only those are reserved: a later round
    becomes a pick only if its own grid then fits (``selection.picks.picks`` with the
    budget), so one dear early round no longer reserves room for a second one
    as dear. Without them (or in screening mode, where the picks come from
    re-runs) two picks at the dearest round's cost. The other ok rounds' single
    held-out points (Figure 4) are not counted, as they are skipped when they
    would miss the deadline; screening re-runs up to ``2 x screen_topk``
    rounds on the search split with all seeds; the held-out baselines take
    about what the search ones took, scaled by the number of stores.
    """
    ok = [s for s in done if s.get("status") == "ok" and s.get("eval_wall_s")]
    held_scale = n_held / max(1, n_search)
    if not ok:
        return baselines_s * held_scale + REPORT_S
    kw = dict(seeds=seeds, screen_seeds=screen_seeds, held_scale=held_scale)
    now = [held_out_grid_s(s, **kw) for s in ok if s["round"] in set(pick_rounds or ())]
    if pick_rounds is None or screen_seeds or not now:
        picks = min(2, len(ok)) * max(held_out_grid_s(s, **kw) for s in ok)
    else:
        picks = sum(now)
    round_seeds = screen_seeds or seeds
    screening = min(len(ok), 2 * screen_topk) * _mean([float(s["eval_wall_s"]) for s in ok]) \
        * seeds / round_seeds if screen_seeds else 0.0
    return picks + screening + baselines_s * held_scale + REPORT_S
