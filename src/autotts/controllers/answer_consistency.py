"""Answer Consistency (Liu & Wang, EMNLP 2025, "answer convergence"): stop a
chain once its last k probe answers agree (BASELINES.md §4, replay version).

Exact rule for one chain, at 500-token (one interval) granularity:

1. BRANCH once; the first step reveals the first probe.
2. After every step look at the revealed probe ``p``:
   - ``p`` is ``'ERR'``: streak = 0 (an unparsable probe never counts as agreement);
   - ``p`` equals the previous probe: streak += 1;
   - otherwise: streak = 1 (a new answer starts its own run).
   If streak >= k, the chain stops with answer ``p`` (always non-ERR).
3. Otherwise CONTINUE one interval. If that step finishes the branch, the
   chain stops with the branch's final answer (which may be ``'ERR'``).

For every k >= 2 this is exactly the BASELINES.md rule ("non-ERR and equal to
the previous probe: streak + 1, else streak = 1"): an ERR probe can only end
a run, and the probe after it cannot equal it. Scoring ERR as 0 rather than 1
only changes k = 1, which then means "stop at the first non-ERR probe"
(Dynasor-style) instead of "stop at the first probe, even an ERR".

With ``n > 1`` ("SC+AC"), n chains are opened and advanced in lockstep (one
batch ``advance`` per round, so a live backend can decode them in parallel);
each stops by the rule above and is then pruned (its cost stays counted), and
the n chain answers are majority-voted with
:func:`autotts.controllers.voting.majority` (ties to the lowest chain id;
``'ERR'`` final answers vote as an ordinary label, as in the reference
baselines).

Default ``k = 10``: the paper's k (ten forced answers in a row) read as ten
intervals, the middle of the BASELINES.md sweep 2..14. The paper's k counts
sentences (~20-50 tokens), so k = 10 there is only ~1-2 intervals; at
500-token granularity a smaller k is the like-for-like reading and the
``k`` sweep traces the accuracy/cost curve (SCOUT's replay version uses 14).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority
from autotts.env.api import EpisodeAPI
from autotts.env.labels import ERR


def next_streak(streak: int, previous: str | None, answer: str | None) -> int:
    """The run length after revealing ``answer`` (see the module rule)."""
    if answer is None or answer == ERR:
        return 0
    return streak + 1 if answer == previous else 1


@dataclass(frozen=True)
class AnswerConsistency(Controller):
    """Answer Consistency: stop a chain once its last k probes agree; n chains vote."""

    name: ClassVar[str] = "answer-consistency"  # its id in controllers/registry.py

    k: int = 10
    n: int = 1

    def __post_init__(self):
        if self.k < 1:
            raise ValueError(f"answer-consistency: k must be >= 1, got {self.k}")
        if self.n < 1:
            raise ValueError(f"answer-consistency: n must be >= 1, got {self.n}")

    def solve(self, episode: EpisodeAPI) -> str | None:
        ids = episode.open_many(self.n)
        if not ids:
            return None
        streak = dict.fromkeys(ids, 0)
        previous: dict[int, str | None] = dict.fromkeys(ids)
        result: dict[int, str | None] = {}
        live = list(ids)
        while live:
            still = []
            for i, a in zip(live, episode.probe_many(live)):  # free at kappa_probe = 0
                if episode.is_finished(i):
                    result[i] = a
                    continue
                streak[i] = next_streak(streak[i], previous[i], a)
                previous[i] = a
                if streak[i] >= self.k:
                    result[i] = a
                    if len(ids) > 1:  # stop decoding it; with one chain we answer at once
                        episode.prune(i)
                    continue
                still.append(i)
            live = still
            if live:
                episode.advance(live)  # CONTINUE every live chain one interval, as a batch
        stopped = sum(1 for i in ids if not episode.is_finished(i))
        episode.note(f"{len(ids)} chain(s) done, {stopped} stopped by a {self.k}-probe streak")
        return majority(result[i] for i in ids if result[i] is not None)
