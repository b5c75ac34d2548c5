"""Seed: Parallel-Probe in the candidate API.

Probe num_chains branches in lockstep, prune branches that stay off the
consensus for 7 steps after a 15-step warm-up, stop when the winner has been
stable for 40 steps. Beta sets the width: num_chains = round(4 * 16 ** beta)
(4 .. 64); the other knobs are the baseline's defaults.
"""

from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority

T_STABLE, PATIENCE, WARM_UP, MAX_STEPS = 40, 7, 15, 100


@dataclass(frozen=True)
class ParallelProbeSeed(Controller):
    """Parallel-Probe with its width as the beta knob."""

    beta: float = 0.5

    def num_chains(self) -> int:
        b = min(1.0, max(0.0, self.beta))
        return max(1, min(64, round(4 * 16 ** b)))

    def solve(self, ep):
        ids = ep.open_many(self.num_chains())
        off = [0] * len(ids)
        prev, stable = None, 0
        for step in range(MAX_STEPS):
            for i in ids:
                if not ep.is_pruned(i) and not ep.is_finished(i):
                    ep.step(i)
            active = [i for i in ids if not ep.is_pruned(i)]
            if not active:
                return prev
            winner = majority(ep.latest(i) for i in active)
            if step >= WARM_UP and len(active) > 1:
                pruned = False
                for i in active:
                    if ep.is_finished(i):
                        continue
                    off[i] = off[i] + 1 if ep.latest(i) != winner else 0
                    if off[i] >= PATIENCE:
                        ep.prune(i)
                        pruned = True
                if pruned:
                    active = [i for i in active if not ep.is_pruned(i)]
                    if not active:
                        ep.note("every branch pruned")
                        return prev
                    winner = majority(ep.latest(i) for i in active)
            stable = stable + 1 if winner == prev else 0
            if stable >= T_STABLE:
                ep.note(f"winner stable for {stable} steps")
                return winner
            prev = winner
            if all(ep.is_finished(i) or ep.is_pruned(i) for i in ids):
                ep.note("every branch finished or pruned")
                break
        return prev
