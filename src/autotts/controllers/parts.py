"""The building blocks the built-in search composes into controllers: a
knob's schedule, how answers vote and when to stop (the moves -- prune,
depth, widen -- are in :mod:`.moves`). A built-in controller the search
found (:mod:`.momentum_consensus`) imports its parts from here.

Every function here, and the branch bookkeeping they share with CMC
(:mod:`autotts.controllers.branches`), is copied verbatim
(``inspect.getsource``) into the generated candidate files, so both modules
obey the candidate rules themselves:
it imports only the sandbox allowlist, touches the episode only through its
public methods, and uses no private or dunder attribute. ``k`` is always the
dict of knob values the candidate's ``schedule(beta)`` returns.

Per slot, every variant has the same signature:

- vote     ``vote_X(st, k) -> (winner, confidence)`` and ``answer_X(st, k) -> answer``
- stop     ``stop_X(st, winner, conf, warm, k) -> bool``
"""

from __future__ import annotations

from autotts.controllers.branches import Branches, trend
from autotts.controllers.moves import latest_counts
from autotts.controllers.voting import beta_confidence, majority, stats_from_counts


# ---- schedule: a knob's value at beta (value = BASE + SLOPE * beta) ----------
def whole(coef: tuple[float, float], b: float, lo: int, hi: int) -> int:
    """An integer knob at beta ``b``."""
    return min(hi, max(lo, round(coef[0] + coef[1] * b)))


def frac(coef: tuple[float, float], b: float, lo: float, hi: float) -> float:
    """A fractional knob at beta ``b``."""
    return min(hi, max(lo, round(coef[0] + coef[1] * b, 4)))


# ---- vote: which answers count, and how sure the vote is ---------------------
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


def vote_latest(st: Branches, k: dict) -> tuple[str | None, float]:
    """Majority of every unpruned branch's latest answer and its Beta confidence."""
    counts = latest_counts(st)
    winner, v1, v2 = stats_from_counts(counts)
    st.n_votes = sum(counts.values())
    return winner, beta_confidence(v1, v2)


def answer_latest(st: Branches, k: dict) -> str | None:
    """Majority of the unpruned branches' latest answers."""
    return vote_latest(st, k)[0]


def recency_counts(st: Branches, k: dict) -> dict[str, float]:
    """Each unpruned branch casts one vote, spread over its recent answers with
    weight ``decay ** age``; a finished branch votes fully for its final answer."""
    ep, decay = st.ep, k["decay"]
    counts = {}
    for i in st.voters():
        if ep.is_finished(i):
            recent = [(ep.latest(i), 1.0)]
        else:
            tail = [a for a in st.seen[i][-6:] if a is not None and a != "ERR"]
            recent = [(a, decay ** age) for age, a in enumerate(reversed(tail))]
        total = sum(w for _, w in recent)
        for a, w in recent:  # a branch with no answer yet has total 0 and no items
            counts[a] = counts.get(a, 0.0) + w / total
    return counts


def vote_recent(st: Branches, k: dict) -> tuple[str | None, float]:
    """Recency-weighted majority and the Beta confidence of its weighted counts."""
    counts = recency_counts(st, k)
    winner, v1, v2 = stats_from_counts(counts)
    st.n_votes = round(sum(counts.values()))
    return winner, beta_confidence(round(v1, 2), round(v2, 2))


def answer_recent(st: Branches, k: dict) -> str | None:
    """Recency-weighted majority of the unpruned branches."""
    return stats_from_counts(recency_counts(st, k))[0]


def first_counts(st: Branches, k: dict) -> dict[str, int]:
    """Votes of the first ``first_m`` branches to finish. Finish order favours
    short traces, which are more often right (short-m@k)."""
    ep = st.ep
    counts = {}
    for i in st.order[: k["first_m"]]:
        a = ep.latest(i)
        counts[a] = counts.get(a, 0) + 1
    return counts


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


def steady_counts(st: Branches, k: dict) -> dict[str, float]:
    """Finished answers weighted ``1 + steady_weight * s``, where ``s`` in [0, 1]
    is how many of the branch's last 8 probes before finishing already gave
    its final answer (a branch that settled early counts more)."""
    ep, wt = st.ep, k["steady_weight"]
    counts = {}
    for i in st.order:
        a = ep.latest(i)
        run = 0
        for b in reversed(st.seen[i][-9:-1]):
            if b != a:
                break
            run += 1
        counts[a] = counts.get(a, 0.0) + 1 + wt * run / 8
    return counts


def vote_steady(st: Branches, k: dict) -> tuple[str | None, float]:
    """Stability-weighted majority of the finished answers and its Beta
    confidence (on counts scaled back to one vote per branch)."""
    counts = steady_counts(st, k)
    winner, v1, v2 = stats_from_counts(counts)
    st.n_votes = st.n_pool
    scale = st.n_pool / sum(counts.values()) if counts else 1.0
    return winner, beta_confidence(round(v1 * scale, 2), round(v2 * scale, 2))


def answer_steady(st: Branches, k: dict) -> str | None:
    """Stability-weighted majority; without finished answers, of the live branches' latest."""
    if st.n_pool:
        return stats_from_counts(steady_counts(st, k))[0]
    ep = st.ep
    return majority(a for i in st.voters() if (a := ep.latest(i)) is not None)


# ---- stop: when the answer is settled ----------------------------------------
def stop_confidence(st: Branches, winner: str | None, conf: float, warm: bool,
                    k: dict) -> bool:
    """Stop once the vote's Beta confidence reaches ``conf_thresh`` with at
    least ``min_votes`` votes."""
    return warm and st.n_votes >= k["min_votes"] and conf >= k["conf_thresh"]


def stop_momentum(st: Branches, winner: str | None, conf: float, warm: bool,
                  k: dict) -> bool:
    """Stop once the confidence EMA is at least ``conf_thresh`` and has not
    fallen by more than ``slack`` over the trend window."""
    return (warm and st.n_votes >= k["min_votes"] and st.ema >= k["conf_thresh"]
            and trend(st) >= -k["slack"])


def stop_stable(st: Branches, winner: str | None, conf: float, warm: bool,
                k: dict) -> bool:
    """Stop once the same winner has led for ``stable_steps`` steps in a row."""
    st.stable = st.stable + 1 if winner == st.last_winner else 0
    st.last_winner = winner
    return winner is not None and st.stable >= k["stable_steps"]


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


def stop_margin(st: Branches, winner: str | None, conf: float, warm: bool,
                k: dict) -> bool:
    """Stop once the leading finished answer is ``margin`` votes ahead of the next."""
    _, v1, v2 = stats_from_counts(st.pool)
    return warm and v1 - v2 >= k["margin"]


def stop_first_m(st: Branches, winner: str | None, conf: float, warm: bool,
                 k: dict) -> bool:
    """Stop once ``first_m`` branches have finished (short-m@k's rule)."""
    return st.n_pool >= k["first_m"]
