"""The building blocks that move branches: when to give up on one (prune),
which live branches advance (depth) and when to open more (widen).

Like :mod:`.parts`, every function is copied verbatim into generated
candidates, so this module obeys the candidate rules: only allowlisted
imports, the episode's public methods only. ``k`` is the dict of knob values
the candidate's ``schedule(beta)`` returns.

- prune    ``prune_X(st, winner, k) -> None``
- depth    ``deepen_X(st, winner, k) -> None``
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
from autotts.controllers.voting import beta_confidence, stats_from_counts


# ---- prune: when to give up on a branch --------------------------------------
def prune_patience(st: Branches, winner: str, k: dict) -> None:
    """Prune every live branch that disagreed with the winner ``patience``
    rounds in a row, as long as another branch stays alive."""
    alive = count_off(st, winner)
    for i in alive:
        if st.off[i] >= k["patience"] and len(st.alive()) > 1:
            st.dropped[i] = True
            st.ep.prune(i)


def prune_disagree(st: Branches, winner: str, k: dict) -> None:
    """Once the finished answers' Beta confidence reaches ``prune_conf``, prune
    the live branches whose latest answer differs from the winner, keeping at
    least ``keep`` live branches (the youngest go first)."""
    _, v1, v2 = stats_from_counts(st.pool)
    if beta_confidence(v1, v2) < k["prune_conf"]:
        return
    ep = st.ep
    alive = st.alive()
    off = [i for i in alive if ep.latest(i) != winner]
    off.sort(key=lambda i: ep.depth(i))
    for i in off[: max(0, len(alive) - k["keep"])]:
        st.dropped[i] = True
        ep.prune(i)


def prune_settle(st: Branches, winner: str, k: dict) -> None:
    """Per-branch early exit: a live branch whose last ``settle_len`` probes
    all gave the same answer stops reading, and that answer joins the
    finished votes (answer consistency, per branch)."""
    ep, n = st.ep, k["settle_len"]
    for i in st.alive():
        tail = st.seen[i][-n:]
        a = tail[0]
        if len(tail) == n and a is not None and a != "ERR" and all(b == a for b in tail):
            st.dropped[i] = True
            st.pool[a] = st.pool.get(a, 0) + 1
            st.n_pool += 1
            st.order.append(i)
            ep.prune(i)


# ---- depth: which live branches advance this round ---------------------------
def deepen_uniform(st: Branches, winner: str | None, k: dict) -> None:
    """Every live branch advances ``depth_burst`` intervals."""
    for i in st.alive():
        advance(st, i, k["depth_burst"])


def deepen_aligned(st: Branches, winner: str | None, k: dict) -> None:
    """Most-advanced branches first; those agreeing with the winner take
    ``aligned_burst`` intervals, the others one."""
    ep = st.ep
    depth, latest = ep.depths, ep.answers  # snapshots: advancing i changes only i's entries
    for i in sorted(st.alive(), key=lambda i: -depth[i]):
        aligned = winner is not None and latest[i] == winner
        advance(st, i, k["aligned_burst"] if aligned else 1)


def deepen_paced(st: Branches, winner: str | None, k: dict) -> None:
    """As ``deepen_aligned`` until a first branch finishes; from then on every
    live branch takes at least ``after_burst`` intervals per round (the race
    to a first answer stays even, the answers that confirm or overturn it
    arrive sooner)."""
    ep = st.ep
    floor = k["after_burst"] if st.n_pool else 1
    depth, latest = ep.depths, ep.answers  # snapshots: advancing i changes only i's entries
    for i in sorted(st.alive(), key=lambda i: -depth[i]):
        aligned = winner is not None and latest[i] == winner
        advance(st, i, max(floor, k["aligned_burst"] if aligned else 1))


def deepen_oldest(st: Branches, winner: str | None, k: dict) -> None:
    """Only the ``lanes`` oldest live branches advance, one interval each
    (a sliding window of sequential reads)."""
    for i in st.alive()[: k["lanes"]]:
        advance(st, i, 1)


# ---- widen: when to open more branches ---------------------------------------
def widen_burst(st: Branches, winner: str | None, conf: float, step: int,
                k: dict) -> int:
    """Open ``widen_size`` branches every ``every`` steps."""
    return k["widen_size"] if (step + 1) % k["every"] == 0 else 0


def widen_staged(st: Branches, winner: str | None, conf: float, step: int,
                 k: dict) -> int:
    """Open ``widen_size`` branches every ``every`` steps, but only while the
    vote's confidence is below ``widen_conf`` (staged widening)."""
    due = (step + 1) % k["every"] == 0
    return k["widen_size"] if due and conf < k["widen_conf"] else 0


def widen_stalled(st: Branches, winner: str | None, conf: float, step: int,
                  k: dict) -> int:
    """Open ``widen_size`` branches when the confidence EMA is below
    ``widen_conf`` and its trend has stalled (risen by at most ``stall``)."""
    past_warm_up = step >= max(1, k["warm_up"] // 2)
    stalled = trend(st) <= k["stall"] and st.ema < k["widen_conf"]
    return k["widen_size"] if past_warm_up and stalled else 0


def widen_window(st: Branches, winner: str | None, conf: float, step: int,
                 k: dict) -> int:
    """Keep ``lanes`` branches in flight: open one for each that finished or
    was pruned (a race in which finished branches are replaced)."""
    return max(0, k["lanes"] - len(st.alive()))


def widen_disagree(st: Branches, winner: str | None, conf: float, step: int,
                   k: dict) -> int:
    """Open ``widen_size`` branches while the live branches' latest answers
    give the leader less than ``share`` of the votes."""
    counts = latest_counts(st)
    total = sum(counts.values())
    top = stats_from_counts(counts)[1]
    return k["widen_size"] if top < k["share"] * total or not total else 0


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
