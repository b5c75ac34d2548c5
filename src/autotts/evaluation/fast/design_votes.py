"""The vote slot of the search's parts (``controllers/parts.py``)
on the design kernel's arrays: ``vote_X`` and ``answer_X`` for every variant.

Integer counts read the Beta confidence from the scipy table; weighted
(float) counts need ``beta_confidence(round(v1, 2), round(v2, 2))`` on
arbitrary floats, which only scipy gives bit for bit: such values are asked
of Python once (numba's object mode) and kept in a table keyed by the unrounded
(v1, v2), which repeat across episodes.
"""

from __future__ import annotations

import numba
import numpy as np

from autotts.controllers.voting import beta_confidence
from autotts.evaluation.fast.design_ops import (
    BUF,
    DEP,
    DROP,
    FIN,
    LAT,
    N_OPEN,
    N_ORDER,
    N_POOL,
    N_VOTES,
    NF,
    ORDER,
    SEEN_N,
    SEEN_W,
    c_add,
    c_clear,
    c_stats,
    c_sum,
    hot,
    pool_stats,
    py_round,
    voters_majority,
)
from autotts.evaluation.fast.jit import helper

VOTES = ("completed", "latest", "recent", "first", "length", "steady")
# float knob indices read here (the full layout is in design_kernel)
K_DECAY, K_LEN_POWER, K_STEADY_WEIGHT = 1, 7, 8
K_FIRST_M = 16


def float_confidence(v1: float, v2: float) -> float:
    """What the generated code computes on weighted counts."""
    return beta_confidence(round(v1, 2), round(v2, 2))


CACHE_SLOTS = 1 << 16  # weighted-confidence table: (v1, v2, value) per slot
CACHE_PROBE = 8        # slots tried per key before asking Python without keeping it


def new_cache() -> np.ndarray:
    """An empty weighted-confidence table (NaN keys never match; one per thread)."""
    return np.full(3 * CACHE_SLOTS, np.nan)


@helper
def fconf(v1, v2, cache):
    """``float_confidence(v1, v2)``: from the table (open addressing on the exact
    float pair) or asked of Python once. A plain array, not a typed dict, so the
    kernel runs without numba's reference counting."""
    h = int(v1 * 1000003.0 + v2 * 7919.0)
    free = -1
    for k in range(CACHE_PROBE):
        j = 3 * ((h + k) & (CACHE_SLOTS - 1))
        if cache[j] == v1 and cache[j + 1] == v2:
            return cache[j + 2]
        if free < 0 and np.isnan(cache[j]):
            free = j
            break
    with numba.objmode(v="float64"):
        v = float_confidence(v1, v2)
    if free >= 0:
        cache[free], cache[free + 1], cache[free + 2] = v1, v2, v
    return v


@hot
def latest_counts(err, W, SEEN, FC, st):
    """``latest_counts`` into the scratch dict (an unfinished branch's ERR does not vote)."""
    c_clear(W, SEEN, FC, st)
    for i in range(st[N_OPEN]):
        if W[DROP, i] == 0:
            a = W[LAT, i]
            if a != err or W[FIN, i] != 0:
                c_add(a, 1.0, W, SEEN, FC, st)


@hot
def recency_counts(decay, err, W, SEEN, FC, st):
    """``recency_counts``: each voter's last 6 non-ERR answers weighted ``decay ** age``."""
    c_clear(W, SEEN, FC, st)
    sw = st[SEEN_W]
    for i in range(st[N_OPEN]):
        if W[DROP, i] != 0:
            continue
        if W[FIN, i] != 0:
            c_add(W[LAT, i], 1.0 / 1.0, W, SEEN, FC, st)
            continue
        n = W[SEEN_N, i]
        m = 0
        for j in range(max(0, n - 6), n):  # tail, oldest first
            a = SEEN[i * sw + j]
            if a != err:
                W[BUF, m] = a
                m += 1
        total = 0.0
        for age in range(m):
            total += decay ** float(age)
        for age in range(m):
            c_add(W[BUF, m - 1 - age], decay ** float(age) / total, W, SEEN, FC, st)


@hot
def first_counts(first_m, W, SEEN, FC, st):
    """``first_counts``: votes of the first ``first_m`` finishers."""
    c_clear(W, SEEN, FC, st)
    for j in range(min(first_m, st[N_ORDER])):
        c_add(W[LAT, W[ORDER, j]], 1.0, W, SEEN, FC, st)


@hot
def length_counts(len_power, W, SEEN, FC, st):
    """``length_counts``: finished answers weighted (shortest / own depth) ** len_power."""
    c_clear(W, SEEN, FC, st)
    m = st[N_ORDER]
    shortest = 1
    if m > 0:
        shortest = W[DEP, W[ORDER, 0]]
        for j in range(1, m):
            shortest = min(shortest, W[DEP, W[ORDER, j]])
    for j in range(m):
        i = W[ORDER, j]
        w = (max(1, shortest) / max(1, W[DEP, i])) ** len_power
        c_add(W[LAT, i], w, W, SEEN, FC, st)


@hot
def steady_counts(wt, W, SEEN, FC, st):
    """Finished answers weighted ``1 + wt * run / 8``, run = settled probes before finishing."""
    c_clear(W, SEEN, FC, st)
    sw = st[SEEN_W]
    for j in range(st[N_ORDER]):
        i = W[ORDER, j]
        a = W[LAT, i]
        n = W[SEEN_N, i]
        run = 0
        for jj in range(n - 2, max(0, n - 9) - 1, -1):  # reversed(SEEN[-9:-1])
            if SEEN[i * sw + jj] != a:
                break
            run += 1
        c_add(a, 1.0, W, SEEN, FC, st)  # the code reads (count + 1) + wt * run / 8
        c_add(a, wt * run / 8, W, SEEN, FC, st)


@hot
def vote(code, ki, kf, err, conf, nconf, cache, W, SEEN, FC, st):
    """``vote_X(st, k)``: (winner or -1, confidence); sets ``n_votes``."""
    if code == 0:
        w, v1, v2 = pool_stats(W, SEEN, FC, st)
        st[N_VOTES] = st[N_POOL]
        return w, conf[v1 * nconf + v2]
    if code == 1 or code == 3:
        if code == 1:
            latest_counts(err, W, SEEN, FC, st)
        else:
            first_counts(ki[K_FIRST_M], W, SEEN, FC, st)
        w, v1, v2 = c_stats(W, SEEN, FC, st)
        st[N_VOTES] = int(c_sum(W, SEEN, FC, st))
        return w, conf[int(v1) * nconf + int(v2)]
    if code == 2:
        recency_counts(kf[K_DECAY], err, W, SEEN, FC, st)
        w, v1, v2 = c_stats(W, SEEN, FC, st)
        st[N_VOTES] = py_round(c_sum(W, SEEN, FC, st)) if st[NF] > 0 else 0
        return w, fconf(v1, v2, cache)
    if code == 4:
        length_counts(kf[K_LEN_POWER], W, SEEN, FC, st)
        w, v1, v2 = c_stats(W, SEEN, FC, st)
        st[N_VOTES] = st[N_POOL]
        return w, fconf(v1, v2, cache)
    steady_counts(kf[K_STEADY_WEIGHT], W, SEEN, FC, st)
    w, v1, v2 = c_stats(W, SEEN, FC, st)
    st[N_VOTES] = st[N_POOL]
    scale = st[N_POOL] / c_sum(W, SEEN, FC, st) if st[NF] > 0 else 1.0
    return w, fconf(v1 * scale, v2 * scale, cache)


@hot
def answer(code, ki, kf, err, W, SEEN, FC, st):
    """``answer_X(st, k)``: the final answer id (-1 for None)."""
    if code == 0 and st[N_POOL] > 0:
        return pool_stats(W, SEEN, FC, st)[0]
    if code == 1:
        latest_counts(err, W, SEEN, FC, st)
        return c_stats(W, SEEN, FC, st)[0]
    if code == 2:
        recency_counts(kf[K_DECAY], err, W, SEEN, FC, st)
        return c_stats(W, SEEN, FC, st)[0]
    if st[N_POOL] > 0:
        if code == 3:
            first_counts(ki[K_FIRST_M], W, SEEN, FC, st)
        elif code == 4:
            length_counts(kf[K_LEN_POWER], W, SEEN, FC, st)
        else:
            steady_counts(kf[K_STEADY_WEIGHT], W, SEEN, FC, st)
        return c_stats(W, SEEN, FC, st)[0]
    return voters_majority(W, SEEN, FC, st)
