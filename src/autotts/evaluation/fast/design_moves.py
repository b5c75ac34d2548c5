"""The prune, depth, widen and stop slots of the search's parts
(``discovery/proposers/search/{moves,parts}.py``) on the design kernel's arrays.

Knob indices (``ki`` whole knobs, ``kf`` fractions) are the layout of
:mod:`.design_kernel`; every function mirrors the part of the same name.
"""

from __future__ import annotations

from autotts.evaluation.fast.design_ops import (
    BUF,
    BUF2,
    DEP,
    DROP,
    EMA,
    FIN,
    LAST_WIN,
    LAT,
    N_OPEN,
    N_POOL,
    N_VOTES,
    OFF,
    SEEN_N,
    SEEN_W,
    STABLE,
    add_final,
    advance,
    alive_into,
    c_stats,
    c_sum,
    hot,
    pool_stats,
    prune_branch,
    sort_by,
    trend_of,
)
from autotts.evaluation.fast.design_votes import latest_counts

PRUNES = ("none", "patience", "keep_k", "disagree", "settle")
DEPTHS = ("uniform", "aligned", "paced", "oldest")
WIDENS = ("none", "burst", "staged", "stalled", "window", "disagree")
STOPS = ("confidence", "momentum", "stable", "converged", "margin", "first_m")

# whole knobs
(I_N_INIT, I_MAX_BRANCHES, I_WARM_UP, I_TREND_LEN, I_REFILL, I_WIDEN_SIZE, I_EVERY,
 I_DEPTH_BURST, I_ALIGNED_BURST, I_LANES, I_PATIENCE, I_KEEP, I_MIN_VOTES, I_STABLE_STEPS,
 I_STREAK, I_MARGIN, I_FIRST_M, I_SETTLE_LEN, I_AFTER_BURST) = range(19)
# fractional knobs
(F_EMA_ALPHA, F_DECAY, F_STALL, F_WIDEN_CONF, F_SHARE, F_CONF_THRESH, F_SLACK, F_LEN_POWER,
 F_STEADY_WEIGHT, F_PRUNE_CONF) = range(10)


@hot
def count_off(winner, W, SEEN, FC, st):
    """Disagreement streaks of the live branches (left in W[BUF]); returns how many live."""
    m = alive_into(BUF, W, SEEN, FC, st)
    for j in range(m):
        i = W[BUF, j]
        W[OFF, i] = W[OFF, i] + 1 if W[LAT, i] != winner else 0
    return m


@hot
def prune(code, winner, ki, kf, err, conf, nconf, W, SEEN, FC, st):
    """``prune_X(st, winner, k)``."""
    if code == 1:  # patience
        m = count_off(winner, W, SEEN, FC, st)
        n_alive = m
        for j in range(m):
            i = W[BUF, j]
            if W[OFF, i] >= ki[I_PATIENCE] and n_alive > 1:
                prune_branch(i, W, SEEN, FC)
                n_alive -= 1
    elif code == 2:  # keep_k
        m = count_off(winner, W, SEEN, FC, st)
        n = 0
        for j in range(m):
            if W[OFF, W[BUF, j]] >= ki[I_PATIENCE]:
                W[BUF2, n] = W[BUF, j]
                n += 1
        sort_by(W, BUF2, n, OFF, True)
        for j in range(min(n, max(0, m - ki[I_KEEP]))):
            prune_branch(W[BUF2, j], W, SEEN, FC)
    elif code == 3:  # disagree
        _, v1, v2 = pool_stats(W, SEEN, FC, st)
        if conf[v1 * nconf + v2] < kf[F_PRUNE_CONF]:
            return
        m = alive_into(BUF, W, SEEN, FC, st)
        n = 0
        for j in range(m):
            if W[LAT, W[BUF, j]] != winner:
                W[BUF2, n] = W[BUF, j]
                n += 1
        sort_by(W, BUF2, n, DEP, False)
        for j in range(min(n, max(0, m - ki[I_KEEP]))):
            prune_branch(W[BUF2, j], W, SEEN, FC)
    elif code == 4:  # settle
        prune_settle(ki[I_SETTLE_LEN], err, W, SEEN, FC, st)


@hot
def prune_settle(n, err, W, SEEN, FC, st):
    """A live branch whose last n answers agree (not ERR) exits; its answer joins the pool."""
    sw = st[SEEN_W]
    m = alive_into(BUF, W, SEEN, FC, st)
    for j in range(m):
        i = W[BUF, j]
        k = W[SEEN_N, i]
        if k < n:
            continue
        a = SEEN[i * sw + k - n]
        if a == err:
            continue
        same = True
        for jj in range(k - n + 1, k):
            if SEEN[i * sw + jj] != a:
                same = False
                break
        if same:
            prune_branch(i, W, SEEN, FC)
            add_final(i, a, W, SEEN, FC, st)


@hot
def deepen(code, winner, ki, qb, dq, data, W, SEEN, FC, st):
    """``deepen_X(st, winner, k)``; winner is -1 before the warm-up ends."""
    m = alive_into(BUF, W, SEEN, FC, st)
    if code == 0:
        for j in range(m):
            advance(W[BUF, j], ki[I_DEPTH_BURST], qb, dq, data, W, SEEN, FC, st)
    elif code == 3:
        for j in range(min(m, ki[I_LANES])):
            advance(W[BUF, j], 1, qb, dq, data, W, SEEN, FC, st)
    else:
        floor = 1
        if code == 2 and st[N_POOL] > 0:
            floor = ki[I_AFTER_BURST]
        sort_by(W, BUF, m, DEP, True)
        for j in range(m):
            i = W[BUF, j]
            burst = ki[I_ALIGNED_BURST] if winner >= 0 and W[LAT, i] == winner else 1
            advance(i, max(floor, burst), qb, dq, data, W, SEEN, FC, st)


@hot
def widen(code, winner, confv, step, ki, kf, err, hist, fs, W, SEEN, FC, st):
    """``widen_X(...)``: how many branches to open."""
    if code == 1 or code == 2:
        due = (step + 1) % ki[I_EVERY] == 0
        if due and (code == 1 or confv < kf[F_WIDEN_CONF]):
            return ki[I_WIDEN_SIZE]
        return 0
    if code == 3:
        past = step >= max(1, ki[I_WARM_UP] // 2)
        stalled = (trend_of(ki[I_TREND_LEN], hist, st) <= kf[F_STALL]
                   and fs[EMA] < kf[F_WIDEN_CONF])
        return ki[I_WIDEN_SIZE] if past and stalled else 0
    if code == 4:
        return max(0, ki[I_LANES] - alive_into(BUF2, W, SEEN, FC, st))
    latest_counts(err, W, SEEN, FC, st)
    total = c_sum(W, SEEN, FC, st)
    top = c_stats(W, SEEN, FC, st)[1]
    return ki[I_WIDEN_SIZE] if top < kf[F_SHARE] * total or total == 0 else 0


@hot
def stop(code, winner, confv, warm, ki, kf, hist, fs, W, SEEN, FC, st):
    """``stop_X(st, winner, conf, warm, k)``."""
    if code == 0:
        return warm and st[N_VOTES] >= ki[I_MIN_VOTES] and confv >= kf[F_CONF_THRESH]
    if code == 1:
        return (warm and st[N_VOTES] >= ki[I_MIN_VOTES] and fs[EMA] >= kf[F_CONF_THRESH]
                and trend_of(ki[I_TREND_LEN], hist, st) >= -kf[F_SLACK])
    if code == 2:
        st[STABLE] = st[STABLE] + 1 if winner == st[LAST_WIN] else 0
        st[LAST_WIN] = winner
        return winner >= 0 and st[STABLE] >= ki[I_STABLE_STEPS]
    if code == 3:
        if not warm or winner < 0:
            return False
        return converged(winner, ki[I_STREAK], W, SEEN, FC, st) >= ki[I_MIN_VOTES]
    if code == 4:
        _, v1, v2 = pool_stats(W, SEEN, FC, st)
        return warm and v1 - v2 >= ki[I_MARGIN]
    return st[N_POOL] >= ki[I_FIRST_M]


@hot
def converged(winner, n, W, SEEN, FC, st):
    """How many voters gave ``winner`` as their last n answers (finished: their final)."""
    sw = st[SEEN_W]
    settled = 0
    for i in range(st[N_OPEN]):
        if W[DROP, i] != 0:
            continue
        if W[FIN, i] != 0:
            if W[LAT, i] == winner:
                settled += 1
            continue
        k = W[SEEN_N, i]
        if k < n:
            continue
        ok = True
        for jj in range(k - n, k):
            if SEEN[i * sw + jj] != winner:
                ok = False
                break
        if ok:
            settled += 1
    return settled
