"""Seed: short-m@k (Hassid et al. 2025, "Don't overthink it") in the candidate API.

Open k branches and step them in lockstep; stop as soon as the first m have
finished; majority vote among those m, ties to the earliest finisher. Beta
sets the width k = round(4 * 16 ** beta) (4 .. 64); m = 3 (short-3@k, the
paper's recommended setting; m = k when k < 3).
"""

from dataclasses import dataclass

from autotts.controllers.base import Controller

M = 3


@dataclass(frozen=True)
class ShortMAtKSeed(Controller):
    """short-3@k with the width as its beta knob."""

    beta: float = 0.5

    def width(self) -> int:
        b = min(1.0, max(0.0, self.beta))
        return max(1, min(64, round(4 * 16 ** b)))

    def solve(self, ep):
        k = self.width()
        m = min(M, k)
        ids = ep.open_many(k)
        done = [i for i in ids if ep.is_finished(i)]  # finishing order
        while len(done) < m and ep.active():
            for i in ep.active():
                ep.step(i)
                if ep.is_finished(i):
                    done.append(i)
                    if len(done) >= m:
                        break
        first = done[:m]
        ep.note(f"first {len(first)} of {k} finished; vote among them")
        counts = {}
        for i in first:  # insertion order = finishing order, so ties go to the earliest
            a = ep.latest(i)
            counts[a] = counts.get(a, 0) + 1
        best, best_n = None, 0
        for a, n in counts.items():
            if n > best_n:
                best, best_n = a, n
        return best
