"""Branch bookkeeping shared by CMC and the search's building blocks.

What a controller remembers about the branches it opened (ids, disagreement
streaks, pruned flags, revealed answers, the pool of finished answers, the
smoothed confidence and its trend), and the few moves every such controller
makes. The search copies this module's functions verbatim into generated
candidates (``discovery/proposers/search/codegen.py``), so it imports nothing beyond
the candidate allowlist and touches the episode only through its public API.
"""

from __future__ import annotations

from collections import deque


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


def count_off(st: Branches, winner: str) -> list[int]:
    """Update each live branch's disagreement streak; returns the live branches."""
    latest, off = st.ep.answers, st.off
    alive = st.alive()
    for i in alive:
        off[i] = off[i] + 1 if latest[i] != winner else 0
    return alive


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


# ---- depth: which live branches advance this round ---------------------------
