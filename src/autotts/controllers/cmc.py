"""CMC, the Confidence Momentum Controller discovered in the AutoTTS paper.

Keeps an EMA of the Beta confidence of the majority over *completed* answers;
stops when that EMA is high and not falling; widens when its trend stalls;
gives extra depth to branches agreeing with the current winner; abandons a
branch only after it disagrees for several rounds, keeping at least two.
Semantics: REPLAY_PROTOCOL.md §5, to the digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from autotts.controllers.base import Controller
from autotts.controllers.branches import (
    Branches,
    advance,
    open_branches,
    prune_keep_k,
    track_confidence,
    trend,
)
from autotts.controllers.voting import beta_confidence, majority, stats_from_counts
from autotts.env.api import EpisodeAPI

MAX_BRANCHES = 64
MAX_OUTER_STEPS = 500


@dataclass(frozen=True)
class CMCSchedule:
    """Every internal knob of CMC, derived from beta (bigger beta = more budget)."""

    n_init: int
    max_branch_use: int
    warm_up: int
    abandon_patience: int
    T_ema: int
    ema_alpha: float
    conf_thresh: float
    delta_slack: float
    burst_aligned: int
    widen_burst: int
    trend_thresh: float
    min_complete: int


def cmc_schedule(beta: float) -> CMCSchedule:
    """The paper's monotone schedule; Python round() (half to even) throughout."""
    b = min(1.0, max(0.0, float(beta)))
    return CMCSchedule(
        n_init=max(2, round(2 + 6 * b)),
        max_branch_use=min(MAX_BRANCHES, round(4 + 60 * b)),
        warm_up=max(2, round(2 + 8 * b)),
        abandon_patience=max(3, round(3 + 9 * b)),
        T_ema=max(2, round(2 + 6 * b)),
        ema_alpha=round(0.70 - 0.40 * b, 4),
        conf_thresh=round(0.85 + 0.12 * b, 4),
        delta_slack=round(0.04 - 0.03 * b, 4),
        burst_aligned=max(1, round(1 + 2 * b)),
        widen_burst=max(1, round(1 + 3 * b)),
        trend_thresh=round(0.04 - 0.03 * b, 4),
        min_complete=max(2, round(2 + 3 * b)),
    )


@dataclass(frozen=True)
class CMC(Controller):
    """CMC: EMA-of-confidence stopping, trend-driven widening, winner-aligned depth."""

    name: ClassVar[str] = "cmc"  # its id in controllers/registry.py

    beta: float = 0.5

    def solve(self, ep: EpisodeAPI) -> str | None:
        return _CMCRun(cmc_schedule(self.beta), ep).run()


class _CMCRun:
    """One CMC episode (kept off the controller so solve() is reentrant); the
    branch bookkeeping is the one the search's parts use."""

    def __init__(self, s: CMCSchedule, ep: EpisodeAPI):
        self.s = s
        self.st = Branches(ep, s.T_ema)

    def pool_stats(self) -> tuple[str | None, float]:
        winner, v1, v2 = stats_from_counts(self.st.pool)
        return winner, beta_confidence(v1, v2)

    def run(self) -> str | None:
        s, st = self.s, self.st
        ep = st.ep
        open_branches(st, s.n_init)
        if not st.ids:
            return None
        prune_rule = {"patience": s.abandon_patience, "keep": 2}
        step = 0
        while step < MAX_OUTER_STEPS:
            winner, conf = self.pool_stats()
            warm = step >= s.warm_up
            track_confidence(st, conf, s.ema_alpha, True)
            if warm and winner is not None:
                prune_keep_k(st, winner, prune_rule)  # abandon long-disagreeing branches
            self.deepen(winner if warm else None)
            winner, conf = self.pool_stats()
            track_confidence(st, conf, s.ema_alpha, False)
            delta = trend(st)
            if (warm and st.n_pool >= s.min_complete and st.ema >= s.conf_thresh
                    and delta >= -s.delta_slack):
                ep.note(f"stop: ema {st.ema:.3f} >= {s.conf_thresh}, trend {delta:+.3f}")
                return winner
            if all(st.dropped[i] or ep.is_finished(i) for i in st.ids):
                ep.note("every branch finished or abandoned")
                break
            if (len(st.ids) < s.max_branch_use and delta <= s.trend_thresh
                    and step >= max(1, s.warm_up // 2) and st.ema < s.conf_thresh):
                open_branches(st, min(s.widen_burst, s.max_branch_use - len(st.ids)))
            step += 1
        return self.fallback_answer()

    def deepen(self, winner: str | None) -> None:
        """One round of depth, most-advanced branches first: winner-aligned
        branches get a longer burst, each burst ends with a probe."""
        st = self.st
        ep = st.ep
        for i in sorted(st.alive(), key=lambda i: -ep.depth(i)):
            aligned = winner is not None and ep.latest(i) == winner
            advance(st, i, self.s.burst_aligned if aligned else 1)

    def fallback_answer(self) -> str | None:
        st = self.st
        if st.n_pool:
            return self.pool_stats()[0]
        ep = st.ep
        return majority(a for i in st.voters() if (a := ep.latest(i)) is not None)
