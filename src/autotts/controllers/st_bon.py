"""ST-BoN, self-truncation best-of-N (Wang et al. 2025, arXiv 2503.01422),
adapted to the answer-only replay (BASELINES.md §5).

The rule, in lockstep rounds (round t = every branch has taken t steps, or
finished earlier; a finished branch keeps its final answer as its probe for
every later round, and ``'ERR'`` is the unparsable probe):

1. BRANCH n branches (round 1) and PROBE them.
2. c = the first round at which at least 2 branches show a non-ERR probe.
   Until then CONTINUE every unfinished branch one interval per round. If
   every branch finishes first, c is the round at which the last one did.
3. tau = c (adaptive, ``tau`` = 0 or None) or the fixed ``tau``.
4. For each round t in (c, c + tau]: CONTINUE the unfinished branches, PROBE,
   and score ``score_i(t) = #{j != i : probe_j(t) = probe_i(t)}`` (an ERR
   probe scores 0); best(t) = argmax, ties to the lowest branch id. Rounds in
   which every branch has already finished still count (their probes are the
   fixed final answers; they cost nothing).
5. The winner is the modal best(t) (ties to the lowest branch id). PRUNE the
   other unfinished branches, CONTINUE the winner to its end and ANSWER its
   final answer. There is no vote.

Cost = n * (c + tau) intervals (less for branches that finished earlier) plus
the winner's remaining tokens.

What is adapted from the original, and why: the store records only answers
(no hidden states, no tokens), so

- the Chain-of-Embedding feature (per-layer hidden-state magnitude/angle
  change, scored by squared distance to the other samples, argmin) becomes
  probe-answer agreement (number of other branches with the same probe,
  argmax): both pick the sample most consistent with the rest;
- the truncation time c, originally the first token step at which all
  prefixes are pairwise distinct (or one emits EOS), becomes the first round
  at which answers are informative (two non-ERR probes): 500-token prefixes
  are always pairwise distinct, so the original rule would give c = 1 with
  no signal;
- everything runs at 500-token (one interval) granularity instead of per token.
Kept: the buffer tau = c, the per-step best, the modal vote over the window,
and a single survivor finished alone.

Default ``n = 64``: the width of SC@64, ASC/ESC's 64-sample cap and
Parallel-Probe's 64 chains in the paper's Table 1, so the baselines compare at
one budget (the original's N = 40 is not a power of two and matches none).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from autotts.controllers.base import Controller
from autotts.env.api import EpisodeAPI
from autotts.env.labels import ERR


def agreement_best(probes: list[str | None]) -> int:
    """Index with the most other branches sharing its probe (ERR/None score 0);
    ties go to the lowest index."""
    counts = Counter(probes)
    scores = [0 if p is None or p == ERR else counts[p] - 1 for p in probes]
    best = 0
    for i, s in enumerate(scores):
        if s > scores[best]:
            best = i
    return best


def modal_lowest(values: list[int]) -> int:
    """Most frequent value; ties to the smallest value."""
    counts = Counter(values)
    return min(counts, key=lambda v: (-counts[v], v))


@dataclass(frozen=True)
class SelfTruncationBoN(Controller):
    """ST-BoN: n branches in lockstep, keep the one whose probes agree most with the rest."""

    name: ClassVar[str] = "st-bon"  # its id in controllers/registry.py

    n: int = 64
    tau: int | None = None

    def __post_init__(self):
        if self.n < 1:
            raise ValueError(f"st-bon: n must be >= 1, got {self.n}")
        if self.tau is not None and (type(self.tau) is not int or self.tau < 0):
            raise ValueError(f"st-bon: tau must be None, 0 (adaptive) or a positive integer, "
                             f"got {self.tau!r}")

    def solve(self, episode: EpisodeAPI) -> str | None:
        ids = episode.open_many(self.n)
        if not ids:
            return None
        c, probes = 1, episode.probe_many(ids)
        while sum(p is not None and p != ERR for p in probes) < 2:
            if not self._round(episode, ids):
                break  # every branch finished before two gave an answer
            c, probes = c + 1, episode.probe_many(ids)
        tau = self.tau or c
        bests = []
        for _ in range(tau):
            self._round(episode, ids)
            bests.append(agreement_best(episode.probe_many(ids)))
        winner = modal_lowest(bests)
        episode.note(f"c={c}, tau={tau}: branch {winner} best in "
                     f"{bests.count(winner)}/{tau} rounds; others pruned")
        for i in ids:
            if i != winner and not episode.is_finished(i):
                episode.prune(i)
        while not episode.is_finished(winner):
            episode.step(winner)
        return episode.latest(winner)

    @staticmethod
    def _round(episode: EpisodeAPI, ids: list[int]) -> bool:
        """CONTINUE every unfinished branch one interval; False if none was left."""
        live = [i for i in ids if not episode.is_finished(i)]
        if live:
            episode.advance(live)
        return bool(live)
