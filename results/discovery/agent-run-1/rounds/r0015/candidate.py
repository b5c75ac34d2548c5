"""Round 15: r0012 + half-speed dissenters.

What r0010..r0014 taught: pausing dissenting branches outright (r0010) loses
CMC's lock-in and saturates at SC@64's majority; stepping settled branches
faster (r0014) weakens the short-trace race and loses 4B/8B q13. CMC's
dissenters are useful only as a slow threat: they can overturn a wrong short
leader when they finish first (4B q4 in the traces), and they are abandoned
after `abandon_patience` disagreeing rounds. Until then they cost as much per
round as the branches that carry the pool (52% of tokens at beta 0.5 go to
branches later abandoned).
Mechanism: once the finished pool has a leader, a live branch whose probe
disagrees with it is stepped only on every other outer step (its patience
counter still counts every outer step, so it is abandoned at the same time);
winner-aligned branches keep their burst. Everything else is r0012 (CMC with
the two-consecutive-confident-pools stop).
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
    )


class CMCEpisode:
    """State of one question (kept off the controller so solve keeps no state)."""

    def __init__(self, s, ep):
        self.s, self.ep = s, ep
        self.ids, self.depth, self.disagree, self.abandoned = [], [], [], []
        self.counts = {}
        self.n_pool = 0
        self.ema = 0.0
        self.hist = deque(maxlen=s["T_ema"])

    def open(self, k):
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

    def add(self, answer):
        self.counts[answer] = self.counts.get(answer, 0) + 1
        self.n_pool += 1

    def stats(self):
        winner, v1, v2 = stats_from_counts(self.counts)
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
        was_high = False
        while step < MAX_OUTER_STEPS:
            winner, conf = self.stats()
            warm = step >= s["warm_up"]
            self.ema = (1 - alpha) * self.ema + alpha * conf
            self.hist.append(self.ema)
            if warm and winner is not None:
                self.abandon(winner)
            self.deepen(winner if warm else None, step)
            winner, conf = self.stats()
            self.ema = (1 - alpha) * self.ema + alpha * conf
            self.hist[-1] = self.ema
            delta = self.trend()
            high = conf >= s["conf_thresh"]
            if warm and self.n_pool >= s["min_complete"] and high and was_high:
                ep.note(f"stop: pool confidence {conf:.3f} >= {s['conf_thresh']} twice")
                return winner
            was_high = high
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

    def deepen(self, winner, step):
        ep = self.ep
        for i in sorted(self.alive(), key=lambda i: -self.depth[i]):
            if winner is not None and ep.latest(i) != winner and step % 2 == 1:
                continue  # dissenter: half speed
            burst = self.s["burst_aligned"] if winner is not None and ep.latest(i) == winner else 1
            for _ in range(burst):
                ep.step(i)
                self.depth[i] += 1
                if ep.is_finished(i):
                    self.add(ep.latest(i))
                    break


@dataclass(frozen=True)
class CMCHalfSpeedDissent(Controller):
    """r0012 with dissenting branches stepped every other outer step."""

    beta: float = 0.5

    def solve(self, ep):
        return CMCEpisode(schedule(self.beta), ep).run()
