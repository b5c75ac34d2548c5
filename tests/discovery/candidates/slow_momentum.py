"""The momentum candidate made slow on purpose (a busy loop per question), so a test can
kill the run while it is being evaluated."""

from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import beta_confidence, majority, vote_stats


@dataclass(frozen=True)
class SlowMomentum(Controller):
    beta: float = 0.5

    def solve(self, ep):
        spin = 0
        for k in range(300_000):
            spin += k
        b = min(1.0, max(0.0, self.beta))
        max_use = min(64, round(4 + 60 * b))
        thresh = 0.85 + 0.12 * b
        ids = ep.open_many(max(2, round(2 + 6 * b)))
        done = []
        for _ in range(400):
            for i in list(ep.active()):
                ep.step(i)
                if ep.is_finished(i):
                    done.append(ep.latest(i))
            winner, v1, v2 = vote_stats(done)
            if len(done) >= 2 and beta_confidence(v1, v2) >= thresh:
                ep.note(f"stop at {v1}:{v2}")
                return winner
            if not ep.active():
                if ep.n_opened >= max_use or ep.branches_left == 0:
                    break
                ids += ep.open_many(min(2, max_use - ep.n_opened))
        return majority(done) or majority(a for a in ep.answers if a is not None)
