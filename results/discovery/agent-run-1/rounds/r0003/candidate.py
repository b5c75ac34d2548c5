"""Seed: Early-Stopping Self-Consistency in the candidate API.

Full-read windows of 8 branches, stop at the first unanimous window; beta sets
the read cap: 8 * round(1 + 7 beta) branches (8 .. 64).
"""

from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority

WINDOW = 8


@dataclass(frozen=True)
class EarlyStoppingSeed(Controller):
    """ESC with the number of windows as its beta knob."""

    beta: float = 0.5

    def max_samples(self) -> int:
        b = min(1.0, max(0.0, self.beta))
        return WINDOW * max(1, round(1 + 7 * b))

    def solve(self, ep):
        answers = []
        for w in range(self.max_samples() // WINDOW):
            current = []
            for _ in range(WINDOW):
                if ep.branches_left <= 0:
                    break
                current.append(ep.read_full())
            if not current:
                continue
            answers.extend(current)
            if len(set(current)) == 1:
                ep.note(f"window {w} unanimous")
                return current[0]
        ep.note(f"no unanimous window in {len(answers)} reads; majority vote")
        return majority(answers)
