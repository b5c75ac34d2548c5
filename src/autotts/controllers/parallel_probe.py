"""Parallel-Probe (Zheng et al. 2026): probe many branches in lockstep, prune
branches that stay off the consensus, stop once the winner is stable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority
from autotts.env.api import EpisodeAPI


@dataclass(frozen=True)
class ParallelProbe(Controller):
    """Parallel-Probe: lockstep probing, off-consensus pruning, stop on a stable winner."""

    name: ClassVar[str] = "parallel-probe"  # its id in controllers/registry.py

    num_chains: int = 64
    T: int = 40
    prune_patience: int = 7
    warm_up: int = 15
    probe_burst: int = 1
    max_steps: int = 100

    def __post_init__(self):
        if self.num_chains < 1 or self.probe_burst < 1:
            raise ValueError("parallel-probe: num_chains and probe_burst must be >= 1")

    def solve(self, ep: EpisodeAPI) -> str | None:
        ids = ep.open_many(self.num_chains)
        off_track = [0] * len(ids)
        prev, stable = None, 0
        for step in range(self.max_steps):
            for i in ids:  # 1. every live branch takes probe_burst steps
                if not ep.is_pruned(i) and not ep.is_finished(i):
                    for _ in range(self.probe_burst):
                        ep.step(i)
                        if ep.is_finished(i):
                            break
                    ep.probe(i)  # free at kappa_probe = 0: the step revealed it
            active = [i for i in ids if not ep.is_pruned(i)]
            if not active:
                return prev
            winner = majority(ep.latest(i) for i in active)
            if step >= self.warm_up and len(active) > 1:  # 3. prune off-track branches
                pruned_any = False
                for i in active:
                    if ep.is_finished(i):
                        continue
                    off_track[i] = off_track[i] + 1 if ep.latest(i) != winner else 0
                    if off_track[i] >= self.prune_patience:
                        ep.prune(i)
                        pruned_any = True
                if pruned_any:
                    active = [i for i in active if not ep.is_pruned(i)]
                    if not active:
                        ep.note("every branch pruned")
                        return prev
                    winner = majority(ep.latest(i) for i in active)
            stable = stable + 1 if winner == prev else 0
            if stable >= self.T:
                ep.note(f"winner stable for {stable} steps")
                return winner
            prev = winner
            if all(ep.is_finished(i) or ep.is_pruned(i) for i in ids):
                ep.note("every branch finished or pruned")
                break
        return prev
