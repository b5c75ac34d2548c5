"""Seed: self-consistency in the candidate API (SC@n, n = 2 ** (6 beta): 1 .. 64)."""

from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority


@dataclass(frozen=True)
class SelfConsistencySeed(Controller):
    """Read n branches whole (n from beta on a log scale) and return their majority."""

    beta: float = 0.5

    def n_branches(self) -> int:
        b = min(1.0, max(0.0, self.beta))
        return max(1, min(64, round(2 ** (6 * b))))

    def solve(self, ep):
        n = min(self.n_branches(), ep.branches_left)
        answers = [ep.read_full() for _ in range(n)]
        ep.note(f"read {n} branches; majority vote")
        return majority(answers)
