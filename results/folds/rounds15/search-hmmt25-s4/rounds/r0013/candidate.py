"""SearchController: a test-time scaling controller composed by the built-in search.

Parts: vote completed, widen burst, depth aligned, prune patience, stop converged.
Round 13: depth -> aligned (design 4a0c6624eb44, screened in round 13).

Every knob is a straight line in beta, value = BASE + SLOPE * beta, clipped to
its range and rounded (whole knobs with round(), fractions to 4 places); the
slope's sign is fixed per knob, so each schedule is monotone in beta.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import beta_confidence, majority, stats_from_counts

MAX_STEPS = 500  # outer rounds per question

# knob = (BASE, SLOPE)
N_INIT = (8.85, 25.13)  # branches opened at the start
MAX_BRANCHES = (3.89, 38.71)  # most branches ever opened (ceiling 64)
WARM_UP = (6.68, 9.44)  # steps before pruning, aligned depth and stopping
REFILL = (4.53, 2.84)  # branches opened when every branch is done
WIDEN_SIZE = (1.73, 9.86)  # branches opened per widening
EVERY = (2.32, -0.59)  # steps between fixed widenings
ALIGNED_BURST = (2.5, 0.49)  # intervals a winner-aligned branch takes per step
PATIENCE = (7.12, 13.84)  # disagreeing steps before a branch is pruned
STREAK = (1.65, 4.12)  # last answers of a branch that must equal the winner
MIN_VOTES = (1.73, 8.53)  # votes needed before stopping


def whole(coef: tuple[float, float], b: float, lo: int, hi: int) -> int:
    """An integer knob at beta ``b``."""
    return min(hi, max(lo, round(coef[0] + coef[1] * b)))


def frac(coef: tuple[float, float], b: float, lo: float, hi: float) -> float:
    """A fractional knob at beta ``b``."""
    return min(hi, max(lo, round(coef[0] + coef[1] * b, 4)))


def schedule(beta: float) -> dict:
    """Every knob at this beta (bigger beta = more budget)."""
    b = min(1.0, max(0.0, float(beta)))
    return {
        "n_init": whole(N_INIT, b, 1, 64),
        "max_branches": whole(MAX_BRANCHES, b, 1, 64),
        "warm_up": whole(WARM_UP, b, 0, 40),
        "refill": whole(REFILL, b, 0, 16),
        "widen_size": whole(WIDEN_SIZE, b, 1, 16),
        "every": whole(EVERY, b, 1, 20),
        "aligned_burst": whole(ALIGNED_BURST, b, 1, 6),
        "patience": whole(PATIENCE, b, 1, 40),
        "streak": whole(STREAK, b, 1, 20),
        "min_votes": whole(MIN_VOTES, b, 1, 32),
    }



class Branches:
    """What one episode's controller remembers about its branches."""

    def __init__(self, ep, trend_len: int):
        self.ep = ep
        self.ids = []            # opened branch ids, in opening order
        self.off = []            # consecutive rounds each branch disagreed with the winner
        self.dropped = []        # branches this controller pruned
        self.seen = []           # every answer each branch revealed, oldest first
        self.pool = {}           # final answers of finished branches, in finishing order
        self.n_pool = 0
        self.order = []          # finished branches, in finishing order
        self.n_votes = 0         # how many votes the last vote() counted
        self.ema = 0.0           # smoothed vote confidence
        self.hist = deque(maxlen=trend_len)  # recent ema values, for the trend
        self.stable = 0          # steps the winner has stayed the same
        self.last_winner = None

    def alive(self) -> list[int]:
        """Opened branches that are neither finished nor pruned.

        Every open and prune goes through these helpers (``ids`` are the
        episode's ids in opening order, ``dropped`` its pruned flags), so the
        episode's own list is the same list, built far more cheaply."""
        return self.ep.active()

    def voters(self) -> list[int]:
        """Branches whose answers may vote: every branch not pruned."""
        return [i for i in self.ids if not self.dropped[i]]


def open_branches(st: Branches, n: int) -> None:
    """Open up to ``n`` new branches (fewer when the question runs out)."""
    ep = st.ep
    for _ in range(n):
        if ep.branches_left <= 0:
            return
        i = ep.open()
        st.ids.append(i)
        st.off.append(0)
        st.dropped.append(False)
        st.seen.append([ep.latest(i)])
        if ep.is_finished(i):
            add_final(st, i)


def add_final(st: Branches, i: int) -> None:
    """Count finished branch ``i``'s answer in the completed pool."""
    answer = st.ep.latest(i)
    st.pool[answer] = st.pool.get(answer, 0) + 1
    st.n_pool += 1
    st.order.append(i)


def advance(st: Branches, i: int, burst: int) -> None:
    """Step branch ``i`` up to ``burst`` intervals (stopping when it finishes)
    and record its answer; a probe is taken only when the steps revealed none."""
    ep = st.ep
    answer = None
    for _ in range(burst):
        answer = ep.step(i)
        if ep.is_finished(i):
            add_final(st, i)
            break
    if answer is None:  # the step revealed nothing (kappa_probe > 0): probe, paying once
        answer = ep.probe(i)
    st.seen[i].append(answer)


def count_off(st: Branches, winner: str) -> list[int]:
    """Update each live branch's disagreement streak; returns the live branches."""
    latest, off = st.ep.answers, st.off
    alive = st.alive()
    for i in alive:
        off[i] = off[i] + 1 if latest[i] != winner else 0
    return alive


def vote_completed(st: Branches, k: dict) -> tuple[str | None, float]:
    """Majority of finished branches' answers and its Beta confidence."""
    winner, v1, v2 = stats_from_counts(st.pool)
    st.n_votes = st.n_pool
    return winner, beta_confidence(v1, v2)


def answer_completed(st: Branches, k: dict) -> str | None:
    """Majority of finished answers; without any, of the live branches' latest."""
    if st.n_pool:
        return stats_from_counts(st.pool)[0]
    ep = st.ep
    return majority(a for i in st.voters() if (a := ep.latest(i)) is not None)


def prune_patience(st: Branches, winner: str, k: dict) -> None:
    """Prune every live branch that disagreed with the winner ``patience``
    rounds in a row, as long as another branch stays alive."""
    alive = count_off(st, winner)
    for i in alive:
        if st.off[i] >= k["patience"] and len(st.alive()) > 1:
            st.dropped[i] = True
            st.ep.prune(i)


def deepen_aligned(st: Branches, winner: str | None, k: dict) -> None:
    """Most-advanced branches first; those agreeing with the winner take
    ``aligned_burst`` intervals, the others one."""
    ep = st.ep
    depth, latest = ep.depths, ep.answers  # snapshots: advancing i changes only i's entries
    for i in sorted(st.alive(), key=lambda i: -depth[i]):
        aligned = winner is not None and latest[i] == winner
        advance(st, i, k["aligned_burst"] if aligned else 1)


def stop_converged(st: Branches, winner: str | None, conf: float, warm: bool,
                   k: dict) -> bool:
    """Stop once ``min_votes`` branches have given the winner as their last
    ``streak`` answers (a finished branch counts with its final answer)."""
    if not warm or winner is None:
        return False
    ep, n = st.ep, k["streak"]
    settled = 0
    for i in st.voters():
        tail = st.seen[i][-n:]
        if ep.is_finished(i):
            settled += ep.latest(i) == winner
        elif len(tail) == n and all(a == winner for a in tail):
            settled += 1
    return settled >= k["min_votes"]


def widen_burst(st: Branches, winner: str | None, conf: float, step: int,
                k: dict) -> int:
    """Open ``widen_size`` branches every ``every`` steps."""
    return k["widen_size"] if (step + 1) % k["every"] == 0 else 0


@dataclass(frozen=True)
class SearchController(Controller):
    """Vote completed, widen burst, depth aligned, prune patience, stop converged."""

    beta: float = 0.5

    def solve(self, ep) -> str | None:
        k = schedule(self.beta)
        st = Branches(ep, 2)
        open_branches(st, min(k["n_init"], k["max_branches"]))
        if not st.ids:
            return None
        for step in range(MAX_STEPS):
            warm = step >= k["warm_up"]
            winner, conf = vote_completed(st, k)
            if warm and winner is not None:
                prune_patience(st, winner, k)
            deepen_aligned(st, winner if warm else None, k)
            winner, conf = vote_completed(st, k)
            if stop_converged(st, winner, conf, warm, k):
                ep.note(f"stop at step {step}: winner {winner!r}, confidence {conf:.3f}")
                return winner
            room = k["max_branches"] - len(st.ids)
            if not st.alive():
                if k["refill"] <= 0 or room <= 0 or ep.branches_left <= 0:
                    ep.note("every branch finished or pruned")
                    break
                open_branches(st, min(k["refill"], room))
                continue
            if room > 0:
                open_branches(st, min(widen_burst(st, winner, conf, step, k), room))
        return answer_completed(st, k)
