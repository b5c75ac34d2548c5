"""CMC, the Confidence Momentum Controller discovered in the AutoTTS paper.

Keeps an EMA of the Beta confidence of the majority over *completed* answers;
stops when that EMA is high and not falling; widens when its trend stalls;
gives extra depth to branches agreeing with the current winner; abandons a
branch only after it disagrees for several rounds, keeping at least two.
Semantics: REPLAY_PROTOCOL.md §5, to the digit.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from autotts.controllers.base import Controller, register
from autotts.controllers.voting import beta_confidence, majority, stats_from_counts
from autotts.env.episode import Episode

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


@register("cmc")
@dataclass(frozen=True)
class CMC(Controller):
    """CMC: EMA-of-confidence stopping, trend-driven widening, winner-aligned depth."""

    beta: float = 0.5

    def solve(self, ep: Episode) -> str | None:
        return _CMCRun(cmc_schedule(self.beta), ep).run()


class _CMCRun:
    """State of one CMC episode (kept off the controller so solve() is reentrant)."""

    def __init__(self, s: CMCSchedule, ep: Episode):
        self.s, self.ep = s, ep
        self.ids: list[int] = []
        self.probe_count: list[int] = []
        self.disagree: list[int] = []
        self.abandoned: list[bool] = []
        self.counts: dict[str, int] = {}  # completed pool, insertion = finishing order
        self.n_pool = 0
        self.ema = 0.0
        self.hist: deque[float] = deque(maxlen=s.T_ema)

    def open(self, k: int) -> None:
        ep = self.ep
        for _ in range(k):
            if ep.branches_left <= 0:
                return
            i = ep.open()
            self.ids.append(i)
            self.probe_count.append(0)
            self.disagree.append(0)
            self.abandoned.append(False)
            if ep.is_finished(i):
                self.add_to_pool(ep.latest(i))

    def add_to_pool(self, answer: str) -> None:
        self.counts[answer] = self.counts.get(answer, 0) + 1
        self.n_pool += 1

    def pool_stats(self) -> tuple[str | None, float]:
        winner, v1, v2 = stats_from_counts(self.counts)
        return winner, beta_confidence(v1, v2)

    def alive(self) -> list[int]:
        ep = self.ep
        return [i for i in self.ids if not self.abandoned[i] and not ep.is_finished(i)]

    def trend(self) -> float:
        h = self.hist
        return h[-1] - h[0] if len(h) >= 2 else 0.0

    def run(self) -> str | None:
        s, ep = self.s, self.ep
        self.open(s.n_init)
        if not self.ids:
            return None
        alpha = s.ema_alpha
        step = 0
        while step < MAX_OUTER_STEPS:
            winner, conf = self.pool_stats()
            warm = step >= s.warm_up
            self.ema = (1 - alpha) * self.ema + alpha * conf
            self.hist.append(self.ema)
            if warm and winner is not None:
                self.abandon_disagreeing(winner)
            self.deepen(winner if warm else None)
            winner, conf = self.pool_stats()
            self.ema = (1 - alpha) * self.ema + alpha * conf
            self.hist[-1] = self.ema
            delta = self.trend()
            if (warm and self.n_pool >= s.min_complete and self.ema >= s.conf_thresh
                    and delta >= -s.delta_slack):
                ep.note(f"stop: ema {self.ema:.3f} >= {s.conf_thresh}, trend {delta:+.3f}")
                return winner
            if all(self.abandoned[i] or ep.is_finished(i) for i in self.ids):
                ep.note("every branch finished or abandoned")
                break
            if (len(self.ids) < s.max_branch_use and delta <= s.trend_thresh
                    and step >= max(1, s.warm_up // 2) and self.ema < s.conf_thresh):
                self.open(min(s.widen_burst, s.max_branch_use - len(self.ids)))
            step += 1
        return self.fallback_answer()

    def abandon_disagreeing(self, winner: str) -> None:
        ep = self.ep
        alive = self.alive()
        for i in alive:
            self.disagree[i] = self.disagree[i] + 1 if ep.latest(i) != winner else 0
        worst = [i for i in alive if self.disagree[i] >= self.s.abandon_patience]
        worst.sort(key=lambda i: -self.disagree[i])
        for i in worst[: max(0, len(alive) - 2)]:
            self.abandoned[i] = True
            ep.prune(i)
        if worst:
            ep.note(f"abandoned {min(len(worst), max(0, len(alive) - 2))} disagreeing branches")

    def deepen(self, winner: str | None) -> None:
        """One round of depth: winner-aligned branches get a longer burst."""
        ep = self.ep
        for i in sorted(self.alive(), key=lambda i: -self.probe_count[i]):
            burst = self.s.burst_aligned if winner is not None and ep.latest(i) == winner else 1
            for _ in range(burst):
                ep.step(i)
                self.probe_count[i] += 1
                if ep.is_finished(i):
                    self.add_to_pool(ep.latest(i))
                    break
            ep.probe(i)

    def fallback_answer(self) -> str | None:
        if self.n_pool:
            return self.pool_stats()[0]
        ep = self.ep
        return majority(a for i in self.ids if not self.abandoned[i]
                        if (a := ep.latest(i)) is not None)
