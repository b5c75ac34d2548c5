"""Round 10: leader-first scheduling -- pause, don't pay for, dissenting branches.

What r0005 (CMC) and r0009 taught: only FINISHED answers are trustworthy votes
(counting converged probes as soft votes lost 4 points at every budget), and
the first finishers carry the useful short-trace bias. But CMC pays for
dissent: at beta 0.5, 52% of its tokens (traces, q0-4) go to branches it later
abandons -- they keep stepping for `abandon_patience` rounds while they
disagree -- and 22% to branches still running at the stop.
Mechanism: race a small batch until the first finisher; from then on only
branches whose current probe agrees with the leader of the finished pool (and
young branches, still in their first intervals) are stepped; dissenting
branches are PAUSED at no cost and resumed only when no agreeing branch is
left to run; if nothing is left, open a new batch. Stop when the Beta
confidence of the finished pool passes a threshold. Nothing is pruned for
good, so a wrong early leader is still overturned when agreeing branches
finish with another answer. Beta raises the batch width, the young age, the
threshold, the minimum pool and the branch cap.
"""

from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import beta_confidence, stats_from_counts

MAX_BRANCHES = 64


@dataclass(frozen=True)
class LeaderFirst(Controller):
    beta: float = 0.5

    def schedule(self):
        b = min(1.0, max(0.0, self.beta))
        return dict(width=max(2, round(2 + 6 * b)), young=max(2, round(2 + 6 * b)),
                    thr=0.85 + 0.12 * b, min_pool=max(2, round(2 + 3 * b)),
                    cap=min(MAX_BRANCHES, round(4 + 60 * b)))

    def solve(self, ep):
        s = self.schedule()
        counts, pool = {}, 0

        def record(i):
            nonlocal pool
            if ep.is_finished(i):
                counts[ep.latest(i)] = counts.get(ep.latest(i), 0) + 1
                pool += 1

        for i in ep.open_many(min(s["width"], s["cap"])):
            record(i)
        while True:
            winner, v1, v2 = stats_from_counts(counts)
            if pool >= s["min_pool"] and beta_confidence(v1, v2) >= s["thr"]:
                ep.note(f"stop: {v1} vs {v2} over {pool} finished")
                return winner
            live = ep.active()
            if winner is None:
                run = live
            else:
                run = [i for i in live if ep.latest(i) == winner or ep.depth(i) <= s["young"]]
                if not run:
                    run = live
            if not run:
                room = min(s["cap"] - ep.n_opened, ep.branches_left)
                if room <= 0:
                    ep.note(f"cap reached; majority of {pool} finished")
                    return winner
                for i in ep.open_many(min(s["width"], room)):
                    record(i)
                continue
            for i in run:
                ep.step(i)
                record(i)
