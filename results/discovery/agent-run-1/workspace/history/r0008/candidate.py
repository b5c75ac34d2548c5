"""Round 8: wide lockstep race, stop on a unanimous set of first finishers.

What r0007 taught: a narrow sliding window (W <= 8, finished branches
replaced) loses the questions where only the SHORTEST traces are right
(4B/8B q13, q28: SC@64 0.00, short-3@64 1.00, CMC beta 1 0.96/0.68), because
late, long branches keep arriving and outvote them. Short-m@k (r0006) wins
those with a wide race but loses 4B q4 / small-model questions where the
first three finishers are wrong and the majority is right.
Mechanism: open a WIDE batch at once and never replace finishers (so finish
order = length order); stop at once when the first m finishers are
unanimous (short consensus); otherwise keep racing and stop when the Beta
confidence over the finished pool passes a threshold; if the batch runs out,
open another batch. Beta widens the batch and raises m and the threshold.
"""

from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import beta_confidence, stats_from_counts

MAX_BRANCHES = 64


@dataclass(frozen=True)
class WideRaceShortConsensus(Controller):
    beta: float = 0.5

    def schedule(self):
        b = min(1.0, max(0.0, self.beta))
        width = max(4, round(4 * 8 ** b))       # 4 .. 32
        m = max(2, round(2 + 2 * b))            # unanimous first finishers: 2 .. 4
        thr = 0.85 + 0.13 * b
        return width, m, thr

    def solve(self, ep):
        width, m, thr = self.schedule()
        counts, order = {}, []
        opened = ep.open_many(width)
        for i in opened:
            if ep.is_finished(i):
                order.append(ep.latest(i))
                counts[ep.latest(i)] = counts.get(ep.latest(i), 0) + 1
        while True:
            for i in ep.active():
                ep.step(i)
                if ep.is_finished(i):
                    a = ep.latest(i)
                    order.append(a)
                    counts[a] = counts.get(a, 0) + 1
            if len(order) >= m and len(set(order[:m])) == 1 and len(order) == m:
                ep.note(f"first {m} finishers agree on {order[0]}")
                return order[0]
            winner, v1, v2 = stats_from_counts(counts)
            if len(order) >= m and beta_confidence(v1, v2) >= thr:
                ep.note(f"stop: {v1} vs {v2} over {len(order)} finished")
                return winner
            if not ep.active():
                if ep.branches_left <= 0 or ep.n_opened >= MAX_BRANCHES:
                    ep.note("no branch left; majority of finished")
                    return winner
                ep.open_many(min(width, MAX_BRANCHES - ep.n_opened))
