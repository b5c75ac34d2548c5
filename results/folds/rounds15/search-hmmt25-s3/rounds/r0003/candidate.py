"""SearchController: a test-time scaling controller composed by the built-in search.

Parts: vote length, widen stalled, depth uniform, prune keep_k, stop converged.
Round 3: crossover (design e7b9db5003ea, screened in round 3).

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
N_INIT = (2, 6)  # branches opened at the start
MAX_BRANCHES = (4, 28)  # most branches ever opened (ceiling 64)
WARM_UP = (0, 0)  # steps before pruning, aligned depth and stopping
REFILL = (0, 0)  # branches opened when every branch is done
LEN_POWER = (1.881, -0.255)  # how strongly a longer finished trace is down-weighted
WIDEN_SIZE = (1, 3)  # branches opened per widening
STALL = (0.04, -0.03)  # EMA rise at or below which confidence has stalled
WIDEN_CONF = (0.85, 0.12)  # EMA below which widening is allowed
EMA_ALPHA = (0.7, -0.4)  # weight of the newest confidence in the EMA
TREND_LEN = (2, 6)  # EMA points in the trend window
DEPTH_BURST = (1, 0)  # intervals every live branch takes per step
PATIENCE = (7.24, 9)  # disagreeing steps before a branch is pruned
KEEP = (2, 0)  # live branches never pruned below
STREAK = (8.47, 6)  # last answers of a branch that must equal the winner
MIN_VOTES = (2.62, 0.61)  # votes needed before stopping


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
        "len_power": frac(LEN_POWER, b, 0.0, 4.0),
        "widen_size": whole(WIDEN_SIZE, b, 1, 16),
        "stall": frac(STALL, b, -0.2, 0.3),
        "widen_conf": frac(WIDEN_CONF, b, 0.5, 0.999),
        "ema_alpha": frac(EMA_ALPHA, b, 0.05, 1.0),
        "trend_len": whole(TREND_LEN, b, 2, 16),
        "depth_burst": whole(DEPTH_BURST, b, 1, 4),
        "patience": whole(PATIENCE, b, 1, 40),
        "keep": whole(KEEP, b, 1, 16),
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


def track_confidence(st: Branches, conf: float, alpha: float, new_step: bool) -> None:
    """Fold ``conf`` into the EMA; a new step adds a trend point, else the
    step's last point is replaced."""
    st.ema = (1 - alpha) * st.ema + alpha * conf
    if new_step:
        st.hist.append(st.ema)
    else:
        st.hist[-1] = st.ema


def trend(st: Branches) -> float:
    """How much the EMA rose over the trend window (0 with fewer than 2 points)."""
    h = st.hist
    return h[-1] - h[0] if len(h) >= 2 else 0.0


def length_counts(st: Branches, k: dict) -> dict[str, float]:
    """Finished answers weighted ``(shortest / own length) ** len_power``, length
    in intervals: a trace much longer than the shortest counts less."""
    ep = st.ep
    shortest = min((ep.depth(i) for i in st.order), default=1)
    counts = {}
    for i in st.order:
        a = ep.latest(i)
        w = (max(1, shortest) / max(1, ep.depth(i))) ** k["len_power"]
        counts[a] = counts.get(a, 0.0) + w
    return counts


def count_off(st: Branches, winner: str) -> list[int]:
    """Update each live branch's disagreement streak; returns the live branches."""
    latest, off = st.ep.answers, st.off
    alive = st.alive()
    for i in alive:
        off[i] = off[i] + 1 if latest[i] != winner else 0
    return alive


def vote_length(st: Branches, k: dict) -> tuple[str | None, float]:
    """Length-weighted majority of the finished answers and its Beta confidence."""
    winner, v1, v2 = stats_from_counts(length_counts(st, k))
    st.n_votes = st.n_pool
    return winner, beta_confidence(round(v1, 2), round(v2, 2))


def answer_length(st: Branches, k: dict) -> str | None:
    """Length-weighted majority; without finished answers, of the live branches' latest."""
    if st.n_pool:
        return stats_from_counts(length_counts(st, k))[0]
    ep = st.ep
    return majority(a for i in st.voters() if (a := ep.latest(i)) is not None)


def prune_keep_k(st: Branches, winner: str, k: dict) -> None:
    """Prune the longest-disagreeing branches past ``patience``, never leaving
    fewer than ``keep`` live branches."""
    alive = count_off(st, winner)
    worst = [i for i in alive if st.off[i] >= k["patience"]]
    worst.sort(key=lambda i: -st.off[i])
    cut = worst[: max(0, len(alive) - k["keep"])]
    for i in cut:
        st.dropped[i] = True
        st.ep.prune(i)
    if worst:
        st.ep.note(f"abandoned {len(cut)} disagreeing branches")


def deepen_uniform(st: Branches, winner: str | None, k: dict) -> None:
    """Every live branch advances ``depth_burst`` intervals."""
    for i in st.alive():
        advance(st, i, k["depth_burst"])


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


def widen_stalled(st: Branches, winner: str | None, conf: float, step: int,
                  k: dict) -> int:
    """Open ``widen_size`` branches when the confidence EMA is below
    ``widen_conf`` and its trend has stalled (risen by at most ``stall``)."""
    past_warm_up = step >= max(1, k["warm_up"] // 2)
    stalled = trend(st) <= k["stall"] and st.ema < k["widen_conf"]
    return k["widen_size"] if past_warm_up and stalled else 0


@dataclass(frozen=True)
class SearchController(Controller):
    """Vote length, widen stalled, depth uniform, prune keep_k, stop converged."""

    beta: float = 0.5

    def solve(self, ep) -> str | None:
        k = schedule(self.beta)
        st = Branches(ep, k["trend_len"])
        open_branches(st, min(k["n_init"], k["max_branches"]))
        if not st.ids:
            return None
        for step in range(MAX_STEPS):
            warm = step >= k["warm_up"]
            winner, conf = vote_length(st, k)
            track_confidence(st, conf, k["ema_alpha"], True)
            if warm and winner is not None:
                prune_keep_k(st, winner, k)
            deepen_uniform(st, winner if warm else None, k)
            winner, conf = vote_length(st, k)
            track_confidence(st, conf, k["ema_alpha"], False)
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
                open_branches(st, min(widen_stalled(st, winner, conf, step, k), room))
        return answer_length(st, k)
