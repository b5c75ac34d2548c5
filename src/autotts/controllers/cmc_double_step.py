"""CMC double-step: CMC that doubles its pace once a branch has finished.

Discovered by the agent-driven discovery campaign
``results/discovery/agent-run-1`` (manual proposer, run id 0f2c0410c359),
round 20 (``rounds/r0020/candidate.py``, class
``CMCDoubleStepAfterFirstFinish``). It is NOT that run's pick: on all 100
search seeds the loop's accuracy rule picked the CMC seed round (r0005, 65.15%
at 483k tokens; this round 64.98% at 528k, beta 0.9) and its area rule the SC
seed round. It is kept as an option because it had the campaign's best
search-split curve at matched tokens in the middle of the budget range (25
screening seeds: 64.4% at 313k vs CMC 63.5% at 263k / 319k). Same schedule as
:mod:`cmc` (every knob from ``beta``) with two changes found in the rounds:

- **double step after the first finish**: as soon as the pool of finished
  answers is non-empty, every live branch advances at least two intervals per
  outer step (winner-aligned branches keep CMC's longer burst). Before the
  first finish the race is CMC's lockstep, so the first finishers are still
  the shortest traces; after it, dissenting branches reach their final answer
  (and can overturn a wrong short leader) in half the outer steps, while the
  stop comes sooner on settled questions.
- **stop on two consecutive confident pools**: stop when the Beta confidence
  of the finished pool's leader has reached ``conf_thresh`` on two
  consecutive outer steps (after warm-up, with ``min_complete`` answers),
  instead of waiting for CMC's EMA of that confidence. The EMA still drives
  widening, abandonment is CMC's.

Like the archived candidate it never calls ``probe`` (free at kappa_probe = 0,
where every step reveals the probe). ``tests/controllers/test_cmc_double_step.py``
checks it reproduces the archived round's search-split numbers exactly.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import ClassVar

from autotts.controllers.base import Controller
from autotts.controllers.cmc import MAX_OUTER_STEPS, CMCSchedule, cmc_schedule
from autotts.controllers.voting import beta_confidence, majority, stats_from_counts
from autotts.env.episode import Episode

MIN_BURST_AFTER_FIRST_FINISH = 2


@dataclass(frozen=True)
class CMCDoubleStep(Controller):
    """CMC + two steps per live branch per round after the first finish + instant stop."""

    name: ClassVar[str] = "cmc-double-step"  # its id in controllers/registry.py

    beta: float = 0.5

    def solve(self, ep: Episode) -> str | None:
        return _DoubleStepRun(cmc_schedule(self.beta), ep).run()


class _DoubleStepRun:
    """State of one episode (kept off the controller so solve() is reentrant)."""

    def __init__(self, s: CMCSchedule, ep: Episode):
        self.s, self.ep = s, ep
        self.ids: list[int] = []
        self.depth: list[int] = []
        self.disagree: list[int] = []
        self.abandoned: list[bool] = []
        self.counts: dict[str, int] = {}  # finished pool, insertion = finishing order
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
            self.depth.append(0)
            self.disagree.append(0)
            self.abandoned.append(False)
            if ep.is_finished(i):
                self.add(ep.latest(i))

    def add(self, answer: str) -> None:
        self.counts[answer] = self.counts.get(answer, 0) + 1
        self.n_pool += 1

    def stats(self) -> tuple[str | None, float]:
        winner, v1, v2 = stats_from_counts(self.counts)
        return winner, beta_confidence(v1, v2)

    def alive(self) -> list[int]:
        ep = self.ep
        return [i for i in self.ids if not self.abandoned[i] and not ep.is_finished(i)]

    def trend(self) -> float:
        h = self.hist
        return h[-1] - h[0] if len(h) >= 2 else 0.0

    def update_ema(self, conf: float, new: bool) -> None:
        self.ema = (1 - self.s.ema_alpha) * self.ema + self.s.ema_alpha * conf
        if new:
            self.hist.append(self.ema)
        else:
            self.hist[-1] = self.ema

    def run(self) -> str | None:
        s, ep = self.s, self.ep
        self.open(s.n_init)
        if not self.ids:
            return None
        was_high = False
        for step in range(MAX_OUTER_STEPS):
            winner, conf = self.stats()
            warm = step >= s.warm_up
            self.update_ema(conf, new=True)
            if warm and winner is not None:
                self.abandon_disagreeing(winner)
            self.deepen(winner if warm else None)
            winner, conf = self.stats()
            self.update_ema(conf, new=False)
            high = conf >= s.conf_thresh
            if warm and self.n_pool >= s.min_complete and high and was_high:
                ep.note(f"stop: pool confidence {conf:.3f} >= {s.conf_thresh} twice")
                return winner
            was_high = high
            if all(self.abandoned[i] or ep.is_finished(i) for i in self.ids):
                ep.note("every branch finished or abandoned")
                break
            self.maybe_widen(step)
        return self.fallback_answer()

    def maybe_widen(self, step: int) -> None:
        s = self.s
        if (len(self.ids) < s.max_branch_use and self.trend() <= s.trend_thresh
                and step >= max(1, s.warm_up // 2) and self.ema < s.conf_thresh):
            self.open(min(s.widen_burst, s.max_branch_use - len(self.ids)))

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
        """One round of depth; the pool is re-checked per branch, so a finish in
        this round already doubles the pace of the branches after it."""
        ep = self.ep
        for i in sorted(self.alive(), key=lambda i: -self.depth[i]):
            burst = self.s.burst_aligned if winner is not None and ep.latest(i) == winner else 1
            if self.n_pool > 0:
                burst = max(burst, MIN_BURST_AFTER_FIRST_FINISH)
            for _ in range(burst):
                ep.step(i)
                self.depth[i] += 1
                if ep.is_finished(i):
                    self.add(ep.latest(i))
                    break

    def fallback_answer(self) -> str | None:
        if self.n_pool:
            return self.stats()[0]
        ep = self.ep
        return majority(a for i in self.ids if not self.abandoned[i]
                        if (a := ep.latest(i)) is not None)
