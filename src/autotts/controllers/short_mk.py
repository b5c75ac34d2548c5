"""short-m@k (Hassid et al. 2025, "Don't Overthink It: Preferring Shorter
Thinking Chains for Improved LLM Reasoning"): run k branches in parallel,
stop as soon as the first m have finished, majority-vote those m.

Exact replay semantics (REPLAY_PROTOCOL.md §2 cost rules):

1. BRANCH k branches in opening order (each takes its first interval); fewer
   when the question has fewer than k branches.
2. Lockstep intervals: interval 1 is the opening step; in every later
   interval each opened branch that has not finished takes one more step
   (CONTINUE). A branch with p recorded probes finishes in interval p + 1.
3. After each interval the branches that finished in it join the finish
   order, sorted by their *length* = the tokens the replay charged for the
   branch, ``p * Δ + max(0, T - p * Δ)`` (its recorded length T, or p * Δ for
   the few branches whose probes overrun T); equal lengths go to the branch
   opened first. The length is what the controller observes (the cost its
   final step added), so no hidden field is read.
4. Stop after the interval in which the m-th branch finishes. Cost = every
   interval run by any branch until then: branches that finished by that
   interval cost their full length, the others ``(that interval) * Δ``.
   Branches finishing in the stopping interval beyond the m-th still ran the
   whole interval and cost their full length, but do not vote.
5. ANSWER the majority of the first m finishers' final answers; ties go to
   the answer of the earliest finisher (majority vote in finish order, see
   :func:`autotts.controllers.voting.majority`). ``'ERR'`` is an ordinary
   label, as everywhere in the reproduction path.
6. Fewer than m finishers ever (k, or the question's branch count, is below
   m): every opened branch runs to its end, all of them vote, and the cost is
   the sum of their lengths. No branch opened (no branch left) -> None.

``m = 1`` is short-1@k: the answer of the shortest branch. ``m = k`` costs what SC@k
costs (every branch read to its end) and differs from it only in vote ties,
which go by finish order instead of opening order; ``m > k`` is refused.

The single-knob form ``short-m@k-beta`` (discovery history and curves) maps
beta in [0, 1] (clipped) to ``k = round(2 * 32**beta)`` (2 at beta 0, 64 at
beta 1, geometric) and ``m = max(1, round(k / 4))`` (Python ``round``, half
to even): both are non-decreasing in beta, so a larger beta opens more
branches and waits for more finishers, which buys budget. The 11-point grid
0, 0.1, ..., 1 gives k = 2, 3, 4, 6, 8, 11, 16, 23, 32, 45, 64 and
m = 1, 1, 1, 2, 2, 3, 4, 6, 8, 11, 16 (beta 0.8 is k=32, m=8).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority
from autotts.env.episode import Episode


def beta_to_km(beta: float) -> tuple[int, int]:
    """(k, m) of the single-knob form: ``k = round(2 * 32**beta)``,
    ``m = max(1, round(k / 4))``, beta clipped to [0, 1]."""
    b = min(1.0, max(0.0, float(beta)))
    k = round(2 * 32 ** b)
    return k, max(1, round(k / 4))


def short_m_at_k(episode: Episode, k: int, m: int) -> str | None:
    """Run short-m@k on ``episode`` (semantics in the module docstring); returns the answer."""
    length: dict[int, float] = {}
    ids: list[int] = []
    for _ in range(min(k, episode.branches_left)):
        before = episode.cost
        i = episode.open()
        ids.append(i)
        length[i] = episode.cost - before
    if not ids:
        return None
    order: list[int] = []     # finish order
    live = ids
    interval = 1
    while True:
        done = sorted((i for i in live if episode.is_finished(i)), key=lambda i: (length[i], i))
        order += done
        live = [i for i in live if not episode.is_finished(i)]
        if len(order) >= m or not live:
            break
        interval += 1
        for i in live:
            before = episode.cost
            episode.step(i)
            length[i] += episode.cost - before
    voters = order[:m]
    episode.note(f"stopped after interval {interval}: {len(order)} finished, "
                 f"{len(voters)} vote" + ("" if len(order) >= m else f" (fewer than m={m})"))
    return majority(episode.latest(i) for i in voters)


def _check(k: int, m: int, name: str) -> None:
    if type(k) is not int or type(m) is not int or k < 1 or m < 1:
        raise ValueError(f"{name}: k and m must be integers >= 1, got k={k!r}, m={m!r}")
    if m > k:
        raise ValueError(f"{name}: m must be <= k (it waits for m of k branches), got k={k}, m={m}")


@dataclass(frozen=True)
class ShortMK(Controller):
    """short-m@k: k branches in lockstep, stop when m have finished, vote among those m."""

    name: ClassVar[str] = "short-m@k"  # its id in controllers/registry.py

    k: int = 64
    m: int = 16

    def __post_init__(self):
        _check(self.k, self.m, "short-m@k")

    def solve(self, episode: Episode) -> str | None:
        return short_m_at_k(episode, self.k, self.m)


@dataclass(frozen=True)
class ShortMKBeta(Controller):
    """short-m@k with one knob: k = round(2*32**beta), m = max(1, round(k/4))."""

    name: ClassVar[str] = "short-m@k-beta"  # its id in controllers/registry.py

    beta: float = 1.0

    @property
    def km(self) -> tuple[int, int]:
        """The (k, m) this beta maps to."""
        return beta_to_km(self.beta)

    def solve(self, episode: Episode) -> str | None:
        k, m = self.km
        return short_m_at_k(episode, k, m)
