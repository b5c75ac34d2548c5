"""Round 9: CMC whose confidence also counts converged unfinished branches.

Traces of r0005 (CMC) on q0-4: at beta 0.5 only ~26% of tokens go to branches
that finish and vote; 52% go to branches later abandoned and 22% to branches
still running at the stop. CMC waits for branches to FINISH before they count,
although on 4B/8B a branch whose probe answer has stopped changing finishes
with that answer a few intervals later (r0004 traces, q0/q1).
Mechanism: the majority/confidence that drives CMC's EMA, stop, abandon and
widen decisions is computed over finished answers (weight 1) plus, for every
live branch whose last `stable` probes are the same non-ERR answer, a soft vote
of weight 0.5. Everything else is CMC. Beta raises `stable` (3 .. 6), so a
larger budget trusts probes less.
"""

from collections import deque
from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import beta_confidence, majority, stats_from_counts

MAX_BRANCHES = 64
MAX_OUTER_STEPS = 500


def schedule(beta):
    b = min(1.0, max(0.0, float(beta)))
    return dict(
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
        stable=max(3, round(3 + 3 * b)),
    )

SOFT_WEIGHT = 0.5


class CMCEpisode:
    """State of one question (kept off the controller so solve keeps no state)."""

    def __init__(self, s, ep):
        self.s, self.ep = s, ep
        self.ids, self.depth, self.disagree, self.abandoned = [], [], [], []
        self.last, self.streak = {}, {}
        self.counts = {}
        self.n_pool = 0
        self.size = 0.0
        self.ema = 0.0
        self.hist = deque(maxlen=s["T_ema"])

    def open(self, k):
        ep = self.ep
        for _ in range(k):
            if ep.branches_left <= 0:
                return
            i = ep.open()
            self.ids.append(i)
            self.seen(i)
            self.depth.append(0)
            self.disagree.append(0)
            self.abandoned.append(False)
            if ep.is_finished(i):
                self.add(ep.latest(i))

    def add(self, answer):
        self.counts[answer] = self.counts.get(answer, 0) + 1
        self.n_pool += 1

    def seen(self, i):
        """Track the run of equal non-ERR probes of live branch i."""
        a = self.ep.latest(i)
        if a is None or a == "ERR":
            self.streak[i] = 0
        elif self.last.get(i) == a:
            self.streak[i] = self.streak.get(i, 0) + 1
        else:
            self.streak[i] = 1
        self.last[i] = a

    def stats(self):
        votes = dict(self.counts)
        for i in self.alive():
            if self.streak.get(i, 0) >= self.s["stable"]:
                a = self.ep.latest(i)
                votes[a] = votes.get(a, 0) + SOFT_WEIGHT
        winner, v1, v2 = stats_from_counts(votes)
        self.size = sum(votes.values())
        return winner, beta_confidence(v1, v2)

    def alive(self):
        return [i for i in self.ids if not self.abandoned[i] and not self.ep.is_finished(i)]

    def trend(self):
        h = self.hist
        return h[-1] - h[0] if len(h) >= 2 else 0.0

    def run(self):
        s, ep = self.s, self.ep
        self.open(s["n_init"])
        if not self.ids:
            return None
        alpha = s["ema_alpha"]
        step = 0
        while step < MAX_OUTER_STEPS:
            winner, conf = self.stats()
            warm = step >= s["warm_up"]
            self.ema = (1 - alpha) * self.ema + alpha * conf
            self.hist.append(self.ema)
            if warm and winner is not None:
                self.abandon(winner)
            self.deepen(winner if warm else None)
            winner, conf = self.stats()
            self.ema = (1 - alpha) * self.ema + alpha * conf
            self.hist[-1] = self.ema
            delta = self.trend()
            if (warm and self.size >= s["min_complete"] and self.ema >= s["conf_thresh"]
                    and delta >= -s["delta_slack"]):
                ep.note(f"stop: ema {self.ema:.3f} >= {s['conf_thresh']}, trend {delta:+.3f}")
                return winner
            if all(self.abandoned[i] or ep.is_finished(i) for i in self.ids):
                ep.note("every branch finished or abandoned")
                break
            if (len(self.ids) < s["max_branch_use"] and delta <= s["trend_thresh"]
                    and step >= max(1, s["warm_up"] // 2) and self.ema < s["conf_thresh"]):
                self.open(min(s["widen_burst"], s["max_branch_use"] - len(self.ids)))
            step += 1
        if self.n_pool:
            return self.stats()[0]
        return majority(a for i in self.ids if not self.abandoned[i]
                        if (a := ep.latest(i)) is not None)

    def abandon(self, winner):
        ep = self.ep
        alive = self.alive()
        for i in alive:
            self.disagree[i] = self.disagree[i] + 1 if ep.latest(i) != winner else 0
        worst = [i for i in alive if self.disagree[i] >= self.s["abandon_patience"]]
        worst.sort(key=lambda i: -self.disagree[i])
        for i in worst[: max(0, len(alive) - 2)]:
            self.abandoned[i] = True
            ep.prune(i)
        if worst:
            ep.note(f"abandoned {min(len(worst), max(0, len(alive) - 2))} disagreeing branches")

    def deepen(self, winner):
        ep = self.ep
        for i in sorted(self.alive(), key=lambda i: -self.depth[i]):
            burst = self.s["burst_aligned"] if winner is not None and ep.latest(i) == winner else 1
            for _ in range(burst):
                ep.step(i)
                self.depth[i] += 1
                if not ep.is_finished(i):
                    self.seen(i)
                if ep.is_finished(i):
                    self.add(ep.latest(i))
                    break


@dataclass(frozen=True)
class CMCSoftProbeVotes(Controller):
    """CMC + soft votes from converged live branches."""

    beta: float = 0.5

    def solve(self, ep):
        return CMCEpisode(schedule(self.beta), ep).run()
