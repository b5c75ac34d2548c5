"""The building blocks the search composes into controllers.

Every function here is copied verbatim (``inspect.getsource``) into the
generated candidate files, so this module obeys the candidate rules itself:
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

from collections import deque

from autotts.controllers.voting import beta_confidence, majority, stats_from_counts


# ---- shared bookkeeping ------------------------------------------------------
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
        self.n_votes = 0         # how many votes the last vote() counted
        self.ema = 0.0           # smoothed vote confidence
        self.hist = deque(maxlen=trend_len)  # recent ema values, for the trend
        self.stable = 0          # steps the winner has stayed the same
        self.last_winner = None

    def alive(self) -> list[int]:
        """Opened branches that are neither finished nor pruned."""
        ep = self.ep
        return [i for i in self.ids if not self.dropped[i] and not ep.is_finished(i)]

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
            add_final(st, ep.latest(i))


def add_final(st: Branches, answer: str) -> None:
    """Count a finished branch's answer in the completed pool."""
    st.pool[answer] = st.pool.get(answer, 0) + 1
    st.n_pool += 1


def advance(st: Branches, i: int, burst: int) -> None:
    """Step branch ``i`` up to ``burst`` intervals, then probe it."""
    ep = st.ep
    for _ in range(burst):
        ep.step(i)
        if ep.is_finished(i):
            add_final(st, ep.latest(i))
            break
    ep.probe(i)
    st.seen[i].append(ep.latest(i))


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
def count_off(st: Branches, winner: str) -> list[int]:
    """Update each live branch's disagreement streak; returns the live branches."""
    ep = st.ep
    alive = st.alive()
    for i in alive:
        st.off[i] = st.off[i] + 1 if ep.latest(i) != winner else 0
    return alive


def prune_patience(st: Branches, winner: str, k: dict) -> None:
    """Prune every live branch that disagreed with the winner ``patience``
    rounds in a row, as long as another branch stays alive."""
    alive = count_off(st, winner)
    for i in alive:
        if st.off[i] >= k["patience"] and len(st.alive()) > 1:
            st.dropped[i] = True
            st.ep.prune(i)


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
