"""A third candidate: a fixed beta-sized lockstep pool, Beta-confidence stop over latest answers."""

from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import beta_confidence, majority, vote_stats


@dataclass(frozen=True)
class GreedyWidth(Controller):
    beta: float = 0.5

    def solve(self, ep):
        width = max(2, round(2 + 22 * min(1.0, max(0.0, self.beta))))
        ep.open_many(width)
        while ep.active():
            for i in ep.active():
                ep.step(i)
            done = ep.final_answers()
            winner, v1, v2 = vote_stats(done)
            if len(done) >= 3 and beta_confidence(v1, v2) > 0.9 + 0.09 * self.beta:
                return winner
        return majority(ep.final_answers())
