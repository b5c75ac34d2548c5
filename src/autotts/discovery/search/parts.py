"""The building blocks the search composes into controllers.

Every function here, and the branch bookkeeping they share with CMC
(:mod:`autotts.controllers.branches`), is copied verbatim
(``inspect.getsource``) into the generated candidate files, so both modules
obey the candidate rules themselves:
it imports only the sandbox allowlist, touches the episode only through its
public methods, and uses no private or dunder attribute. ``k`` is always the
dict of knob values the candidate's ``schedule(beta)`` returns.

Per slot, every variant has the same signature:

- vote     ``vote_X(st, k) -> (winner, confidence)`` and ``answer_X(st, k) -> answer``
- prune    ``prune_X(st, winner, k) -> None``
- depth    ``deepen_X(st, winner, k) -> None``
- stop     ``stop_X(st, winner, conf, warm, k) -> bool``
- widen    ``widen_X(st, winner, conf, step, k) -> int`` (branches to open)
"""

from __future__ import annotations

from autotts.controllers.branches import (  # noqa: F401 - prune_keep_k is a prune variant
    Branches,
    advance,
    count_off,
    prune_keep_k,
    trend,
)
from autotts.controllers.voting import beta_confidence, majority, stats_from_counts


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


# ---- prune: when to give up on a branch --------------------------------------
def prune_patience(st: Branches, winner: str, k: dict) -> None:
    """Prune every live branch that disagreed with the winner ``patience``
    rounds in a row, as long as another branch stays alive."""
    alive = count_off(st, winner)
    for i in alive:
        if st.off[i] >= k["patience"] and len(st.alive()) > 1:
            st.dropped[i] = True
            st.ep.prune(i)


def deepen_uniform(st: Branches, winner: str | None, k: dict) -> None:
    """Every live branch advances ``depth_burst`` intervals."""
    for i in st.alive():
        advance(st, i, k["depth_burst"])


def deepen_aligned(st: Branches, winner: str | None, k: dict) -> None:
    """Most-advanced branches first; those agreeing with the winner take
    ``aligned_burst`` intervals, the others one."""
    ep = st.ep
    for i in sorted(st.alive(), key=lambda i: -ep.depth(i)):
        aligned = winner is not None and ep.latest(i) == winner
        advance(st, i, k["aligned_burst"] if aligned else 1)


def deepen_oldest(st: Branches, winner: str | None, k: dict) -> None:
    """Only the ``lanes`` oldest live branches advance, one interval each
    (a sliding window of sequential reads)."""
    for i in st.alive()[: k["lanes"]]:
        advance(st, i, 1)


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


# ---- widen: when to open more branches ---------------------------------------
def widen_burst(st: Branches, winner: str | None, conf: float, step: int,
                k: dict) -> int:
    """Open ``widen_size`` branches every ``every`` steps."""
    return k["widen_size"] if (step + 1) % k["every"] == 0 else 0


def widen_stalled(st: Branches, winner: str | None, conf: float, step: int,
                  k: dict) -> int:
    """Open ``widen_size`` branches when the confidence EMA is below
    ``widen_conf`` and its trend has stalled (risen by at most ``stall``)."""
    past_warm_up = step >= max(1, k["warm_up"] // 2)
    stalled = trend(st) <= k["stall"] and st.ema < k["widen_conf"]
    return k["widen_size"] if past_warm_up and stalled else 0


def widen_disagree(st: Branches, winner: str | None, conf: float, step: int,
                   k: dict) -> int:
    """Open ``widen_size`` branches while the live branches' latest answers
    give the leader less than ``share`` of the votes."""
    counts = latest_counts(st)
    total = sum(counts.values())
    top = stats_from_counts(counts)[1]
    return k["widen_size"] if top < k["share"] * total or not total else 0
