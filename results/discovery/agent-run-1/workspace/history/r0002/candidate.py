"""Seed: Adaptive-Consistency in the candidate API.

Full-read one branch at a time (at most 64); stop once the Beta confidence of
the leader exceeds a threshold that rises with beta: 1 - 0.5 * 0.004 ** beta
(0.5 at beta 0, 0.998 at beta 1).
"""

from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import beta_confidence, majority, stats_from_counts


@dataclass(frozen=True)
class AdaptiveConsistencySeed(Controller):
    """ASC with the confidence threshold as its beta knob."""

    beta: float = 0.5

    def threshold(self) -> float:
        b = min(1.0, max(0.0, self.beta))
        return 1.0 - 0.5 * 0.004 ** b

    def solve(self, ep):
        thr = self.threshold()
        answers, counts = [], {}
        for _ in range(min(64, ep.branches_left)):
            a = ep.read_full()
            answers.append(a)
            counts[a] = counts.get(a, 0) + 1
            if len(answers) >= 2:
                winner, v1, v2 = stats_from_counts(counts)
                if beta_confidence(v1, v2) > thr:
                    ep.note(f"confident after {len(answers)} reads ({v1} vs {v2})")
                    return winner
        ep.note(f"no confident winner after {len(answers)} reads; majority vote")
        return majority(answers)
