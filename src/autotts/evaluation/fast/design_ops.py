"""The bookkeeping of :mod:`autotts.controllers.branches` on flat arrays, for
the design kernel (:mod:`.design_kernel`).

Workspace ``W, SEEN, FC`` (length-B arrays indexed by episode branch id, opening order):
``br dep fin lat`` as in :mod:`.episode_ops`, ``drop`` pruned by the
controller, ``off`` disagreement streak, ``seen`` (B x S) every answer a
branch revealed with ``seen_n`` entries, ``order`` finished branches in
finishing order, two id buffers, the pool (``pcnt`` per answer id, ``pord``
answer ids in first-add order) and a scratch count dict (``fcnt`` float per
answer id, ``fhas`` present flags, ``ford`` insertion order), ``hist`` the EMA
points. Scalars live in ``st`` (int64) and ``fs`` (float64).

A count dict is insertion-ordered like Python's ``dict``, so winners and
(v1, v2) come out as :func:`~autotts.controllers.voting.stats_from_counts`
computes them; float sums run left to right like Python 3.11's ``sum``.
"""

from __future__ import annotations

import numba

# Every helper of the design kernel is inlined into it at numba's IR level
# (``njit(inline="always")``; ``register_jitable(inline=...)`` is not inlined when
# called from a jitted function). A call that stays a call passes the workspace
# arrays and the store's, each reference-counted (an atomic add and subtract) on
# every call: that traffic was about half the kernel's time.
hot = numba.njit(inline="always")

# st layout
N_OPEN, N_POOL, N_PORD, COST, N_ORDER, N_VOTES, STABLE, LAST_WIN, N_HIST, NF, SEEN_W = range(11)
ST_SIZE = 11
# fs layout
EMA = 0
# rows of the int workspace W (width max(B, labels)); SEEN is B x st[SEEN_W], flat
(BR, DEP, FIN, DROP, LAT, OFF, SEEN_N, ORDER, BUF, BUF2, PCNT, PORD, FHAS, FORD) = range(14)
W_ROWS = 14


@hot
def pool_add(a, W, SEEN, FC, st):
    """Count answer ``a`` in the completed pool (first-add order kept)."""
    if W[PCNT, a] == 0:
        W[PORD, st[N_PORD]] = a
        st[N_PORD] += 1
    W[PCNT, a] += 1
    st[N_POOL] += 1


@hot
def add_final(i, a, W, SEEN, FC, st):
    """``add_final`` / the settle prune: answer ``a`` joins the pool, ``i`` the finish order."""
    pool_add(a, W, SEEN, FC, st)
    W[ORDER, st[N_ORDER]] = i
    st[N_ORDER] += 1


@hot
def pool_stats(W, SEEN, FC, st):
    """(winner, v1, v2) of the pool; winner -1 when empty."""
    best, v1, v2 = -1, 0, 0
    for j in range(st[N_PORD]):
        a = W[PORD, j]
        n = W[PCNT, a]
        if n > v1:
            best, v2, v1 = a, v1, n
        elif n > v2:
            v2 = n
    return best, v1, v2


@hot
def seen_push(i, a, W, SEEN, FC, st):
    """Append answer ``a`` to branch i's revealed answers."""
    SEEN[i * st[SEEN_W] + W[SEEN_N, i]] = a
    W[SEEN_N, i] += 1


@hot
def do_step(i, qb, dq, data, W, SEEN, FC, st):
    """``ep.step(i)``; a branch that finishes joins the pool. Returns its latest answer."""
    # episode_ops.step_branch written on W's rows (no row views: this runs per step)
    probes, n_probes, tokens, finals, width_d = data
    b = qb + W[BR, i]
    d = W[DEP, i]
    k = n_probes[b]
    W[DEP, i] = d + 1
    if d < k:
        W[LAT, i] = probes[b * width_d + d]
        st[COST] += dq
    else:
        W[LAT, i] = finals[b]
        W[FIN, i] = 1
        rest = tokens[b] - k * dq
        st[COST] += rest if rest > 0 else 0
        add_final(i, W[LAT, i], W, SEEN, FC, st)
    return W[LAT, i]


@hot
def open_n(n, limit, ob, orders, qb, dq, data, W, SEEN, FC, st):
    """``open_branches(st, n)``: up to n new branches, fewer when none is left."""
    for _ in range(n):
        i = st[N_OPEN]
        if i >= limit:
            return
        st[N_OPEN] = i + 1
        W[BR, i] = orders[ob + i]
        W[DEP, i] = 0
        W[FIN, i] = 0
        W[LAT, i] = -1
        W[DROP, i] = 0
        W[OFF, i] = 0
        W[SEEN_N, i] = 0
        do_step(i, qb, dq, data, W, SEEN, FC, st)
        seen_push(i, W[LAT, i], W, SEEN, FC, st)


@hot
def advance(i, burst, qb, dq, data, W, SEEN, FC, st):
    """``advance(st, i, burst)``: up to ``burst`` steps, then record the answer."""
    a = -1
    for _ in range(burst):
        a = do_step(i, qb, dq, data, W, SEEN, FC, st)
        if W[FIN, i]:
            break
    seen_push(i, a, W, SEEN, FC, st)


@hot
def alive_into(row, W, SEEN, FC, st):
    """Ids neither finished nor pruned, in id order, written to row ``row`` of W; returns
    how many."""
    m = 0
    for i in range(st[N_OPEN]):
        if W[FIN, i] == 0 and W[DROP, i] == 0:
            W[row, m] = i
            m += 1
    return m


@hot
def prune_branch(i, W, SEEN, FC):
    """PRUNE: the branch is dropped (it no longer votes or advances)."""
    W[DROP, i] = 1


@hot
def sort_by(W, ids, m, key, descending):
    """Stable insertion sort of row ``ids`` (first m entries) by row ``key``
    (Python's stable ``sorted``)."""
    for j in range(1, m):
        x = W[ids, j]
        kx = W[key, x]
        k = j - 1
        while k >= 0 and ((W[key, W[ids, k]] < kx) if descending else (W[key, W[ids, k]] > kx)):
            W[ids, k + 1] = W[ids, k]
            k -= 1
        W[ids, k + 1] = x


# ---- the scratch count dict ----------------------------------------------------
@hot
def c_add(a, w, W, SEEN, FC, st):
    """``counts[a] = counts.get(a, 0) + w``."""
    if W[FHAS, a] == 0:
        W[FHAS, a] = 1
        FC[a] = 0.0
        W[FORD, st[NF]] = a
        st[NF] += 1
    FC[a] = FC[a] + w


@hot
def c_stats(W, SEEN, FC, st):
    """(winner, v1, v2) of the counts, ``stats_from_counts`` order."""
    best, v1, v2 = -1, 0.0, 0.0
    for j in range(st[NF]):
        a = W[FORD, j]
        n = FC[a]
        if n > v1:
            best, v2, v1 = a, v1, n
        elif n > v2:
            v2 = n
    return best, v1, v2


@hot
def c_sum(W, SEEN, FC, st):
    """``sum(counts.values())`` (left to right, as Python 3.11)."""
    s = 0.0
    for j in range(st[NF]):
        s += FC[W[FORD, j]]
    return s


@hot
def c_clear(W, SEEN, FC, st):
    """Empty the scratch count dict."""
    for j in range(st[NF]):
        W[FHAS, W[FORD, j]] = 0
    st[NF] = 0


@hot
def py_round(x):
    """Python's ``round(x)`` for a float: nearest integer, ties to even."""
    r = float(int(x)) if x >= 0 else -float(int(-x))
    if r > x:
        r -= 1.0  # floor
    d = x - r
    if d > 0.5 or (d == 0.5 and r % 2.0 != 0.0):
        r += 1.0
    return int(r)


@hot
def voters_majority(W, SEEN, FC, st):
    """``majority`` of the unpruned branches' latest answers (-1 for none)."""
    c_clear(W, SEEN, FC, st)
    for i in range(st[N_OPEN]):
        if W[DROP, i] == 0:
            c_add(W[LAT, i], 1.0, W, SEEN, FC, st)
    w = c_stats(W, SEEN, FC, st)[0]
    c_clear(W, SEEN, FC, st)
    return w


@hot
def trend_of(trend_len, hist, st):
    """``trend(st)``: newest minus oldest EMA point of the window (0 with < 2 points)."""
    n = st[N_HIST]
    m = n if n < trend_len else trend_len
    if m < 2:
        return 0.0
    return hist[n - 1] - hist[n - m]


@hot
def track(conf, alpha, new, hist, fs, st):
    """``track_confidence``: fold conf into the EMA; add or replace the newest point."""
    fs[EMA] = (1 - alpha) * fs[EMA] + alpha * conf
    if new:
        hist[st[N_HIST]] = fs[EMA]
        st[N_HIST] += 1
    else:
        hist[st[N_HIST] - 1] = fs[EMA]
