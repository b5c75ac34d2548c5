"""SearchController: a test-time scaling controller composed by the built-in search.

Parts: vote first, widen disagree, depth oldest, prune patience, stop confidence.
Round 4: first_m slope, conf_thresh base (design cc0eeb3a8599, screened in round 2).

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
N_INIT = (12.65, 0.65)  # branches opened at the start
MAX_BRANCHES = (2.19, 28.83)  # most branches ever opened (ceiling 64)
WARM_UP = (3.76, 1.3)  # steps before pruning, aligned depth and stopping
REFILL = (1.61, 0.26)  # branches opened when every branch is done
FIRST_M = (5.72, 17.88)  # first finishers that vote (and may stop)
WIDEN_SIZE = (11.67, 2.12)  # branches opened per widening
SHARE = (0.574, 0.178)  # leader's vote share below which branches disagree
LANES = (3.87, 41.1)  # oldest live branches advanced per step
PATIENCE = (6.47, 27.04)  # disagreeing steps before a branch is pruned
CONF_THRESH = (0.511, 0.43)  # confidence needed to stop
MIN_VOTES = (25.63, 4.6)  # votes needed before stopping


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
        "first_m": whole(FIRST_M, b, 1, 32),
        "widen_size": whole(WIDEN_SIZE, b, 1, 16),
        "share": frac(SHARE, b, 0.3, 1.0),
        "lanes": whole(LANES, b, 1, 64),
        "patience": whole(PATIENCE, b, 1, 40),
        "conf_thresh": frac(CONF_THRESH, b, 0.5, 0.999),
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


def first_counts(st: Branches, k: dict) -> dict[str, int]:
    """Votes of the first ``first_m`` branches to finish. Finish order favours
    short traces, which are more often right (short-m@k)."""
    ep = st.ep
    counts = {}
    for i in st.order[: k["first_m"]]:
        a = ep.latest(i)
        counts[a] = counts.get(a, 0) + 1
    return counts


def latest_counts(st: Branches) -> dict[str, int]:
    """Votes of the unpruned branches' latest answers; an unfinished branch
    whose probe failed ("ERR") has no answer yet and does not vote."""
    ep = st.ep
    counts = {}
    for i in st.voters():
        a = ep.latest(i)
        if a is not None and (a != "ERR" or ep.is_finished(i)):
            counts[a] = counts.get(a, 0) + 1
    return counts


def count_off(st: Branches, winner: str) -> list[int]:
    """Update each live branch's disagreement streak; returns the live branches."""
    latest, off = st.ep.answers, st.off
    alive = st.alive()
    for i in alive:
        off[i] = off[i] + 1 if latest[i] != winner else 0
    return alive


def vote_first(st: Branches, k: dict) -> tuple[str | None, float]:
    """Majority of the first finishers and its Beta confidence."""
    counts = first_counts(st, k)
    winner, v1, v2 = stats_from_counts(counts)
    st.n_votes = sum(counts.values())
    return winner, beta_confidence(v1, v2)


def answer_first(st: Branches, k: dict) -> str | None:
    """Majority of the first finishers; without any, of the live branches' latest."""
    if st.n_pool:
        return stats_from_counts(first_counts(st, k))[0]
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


def deepen_oldest(st: Branches, winner: str | None, k: dict) -> None:
    """Only the ``lanes`` oldest live branches advance, one interval each
    (a sliding window of sequential reads)."""
    for i in st.alive()[: k["lanes"]]:
        advance(st, i, 1)


def stop_confidence(st: Branches, winner: str | None, conf: float, warm: bool,
                    k: dict) -> bool:
    """Stop once the vote's Beta confidence reaches ``conf_thresh`` with at
    least ``min_votes`` votes."""
    return warm and st.n_votes >= k["min_votes"] and conf >= k["conf_thresh"]


def widen_disagree(st: Branches, winner: str | None, conf: float, step: int,
                   k: dict) -> int:
    """Open ``widen_size`` branches while the live branches' latest answers
    give the leader less than ``share`` of the votes."""
    counts = latest_counts(st)
    total = sum(counts.values())
    top = stats_from_counts(counts)[1]
    return k["widen_size"] if top < k["share"] * total or not total else 0


@dataclass(frozen=True)
class SearchController(Controller):
    """Vote first, widen disagree, depth oldest, prune patience, stop confidence."""

    beta: float = 0.5

    def solve(self, ep) -> str | None:
        k = schedule(self.beta)
        st = Branches(ep, 2)
        open_branches(st, min(k["n_init"], k["max_branches"]))
        if not st.ids:
            return None
        for step in range(MAX_STEPS):
            warm = step >= k["warm_up"]
            winner, conf = vote_first(st, k)
            if warm and winner is not None:
                prune_patience(st, winner, k)
            deepen_oldest(st, winner if warm else None, k)
            winner, conf = vote_first(st, k)
            if stop_confidence(st, winner, conf, warm, k):
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
                open_branches(st, min(widen_disagree(st, winner, conf, step, k), room))
        return answer_first(st, k)
