"""Candidate controller for AutoTTS discovery. Edit the class below.

Rules: one knob `beta` in [0, 1]; derive every internal setting from it with a
monotone schedule (larger beta = more budget); at most 64 branches; return a
string answer (or None). Imports: math, collections, itertools, functools,
heapq, statistics, dataclasses, typing, abc, numpy, scipy.stats and
autotts.controllers.voting / autotts.controllers.base only.
"""

from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import beta_confidence, majority, vote_stats

MAX_BRANCHES = 64


@dataclass(frozen=True)
class Candidate(Controller):
    """Probe a few branches in lockstep; stop when finished answers agree."""

    beta: float = 0.5

    def schedule(self) -> tuple[int, int, float]:
        b = min(1.0, max(0.0, self.beta))
        width = max(2, round(2 + 14 * b))
        max_open = min(MAX_BRANCHES, round(4 + 60 * b))
        threshold = 0.85 + 0.13 * b
        return width, max_open, threshold

    def solve(self, ep):
        width, max_open, threshold = self.schedule()
        ep.open_many(width)
        finished = []
        while True:
            for i in ep.active():
                ep.step(i)
                if ep.is_finished(i):
                    finished.append(ep.latest(i))
            winner, v1, v2 = vote_stats(finished)
            if len(finished) >= 2 and beta_confidence(v1, v2) >= threshold:
                ep.note(f"stop: {v1} vs {v2} votes")
                return winner
            if not ep.active():
                if ep.n_opened >= max_open or ep.branches_left == 0:
                    break
                ep.open_many(min(width, max_open - ep.n_opened))
        return majority(finished)
