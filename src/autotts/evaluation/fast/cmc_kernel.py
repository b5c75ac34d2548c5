"""CMC over many (seed, question) episodes in one call, exactly as
:mod:`autotts.controllers.cmc` at ``kappa_probe = 0``.

The completed-answer pool is a count per answer id plus the ids in first-add
order (``pord``), so its winner and (v1, v2) come out as
:func:`~autotts.controllers.voting.stats_from_counts` computes them on the
insertion-ordered dict. The EMA history is one float per outer step; the
deque of length ``T_ema`` is the window ``hist[step - T_ema + 1 .. step]``.
"""

from __future__ import annotations

from autotts.controllers.cmc import MAX_OUTER_STEPS, CMCSchedule
from autotts.evaluation.fast.episode_ops import majority_of, open_branch, step_branch
from autotts.evaluation.fast.jit import helper, kernel

# Layout of the scalar state array ``st`` and of the schedule arrays.
N_OPEN, POOL, N_LABELS, COST = 0, 1, 2, 3
INT_KNOBS = ("n_init", "max_branch_use", "warm_up", "abandon_patience", "T_ema",
             "burst_aligned", "widen_burst", "min_complete")
FLOAT_KNOBS = ("ema_alpha", "conf_thresh", "delta_slack", "trend_thresh")


def schedule_arrays(s: CMCSchedule) -> tuple[list[int], list[float]]:
    """The schedule as (ints, floats) in the order the kernel reads them."""
    return [getattr(s, k) for k in INT_KNOBS], [getattr(s, k) for k in FLOAT_KNOBS]


@helper
def pool_stats(cnt, pord, st):
    """(winner, v1, v2) of the pool, iterating answers in first-add order."""
    best, v1, v2 = -1, 0, 0
    for j in range(st[N_LABELS]):
        a = pord[j]
        n = cnt[a]
        if n > v1:
            best, v2, v1 = a, v1, n
        elif n > v2:
            v2 = n
    return best, v1, v2


@helper
def pool_add(a, cnt, pord, st):
    """Add answer ``a`` to the completed pool (counts, first-add order, size)."""
    if cnt[a] == 0:
        pord[st[N_LABELS]] = a
        st[N_LABELS] += 1
    cnt[a] += 1
    st[POOL] += 1


@helper
def stable_sort_desc(ids, m, key):
    """Sort ids[0..m-1] by key descending, keeping id order among equal keys
    (Python's stable ``sorted(key=lambda i: -key[i])``)."""
    for j in range(1, m):
        x = ids[j]
        k = j - 1
        while k >= 0 and key[ids[k]] < key[x]:
            ids[k + 1] = ids[k]
            k -= 1
        ids[k + 1] = x


@helper
def alive_ids(n, ab, fin, out):
    """Write the ids of branches neither abandoned nor finished to ``out``; returns how many."""
    m = 0
    for i in range(n):
        if ab[i] == 0 and fin[i] == 0:
            out[m] = i
            m += 1
    return m


@helper
def cmc_step(i, qb, dq, data, ws, st):
    """CONTINUE branch i; a branch that finishes adds its final answer to the pool."""
    probes, n_probes, tokens, finals, width_d = data
    br, dep, fin, lat, prc, dis, ab, buf, buf2, cnt, pord, cnt2 = ws
    st[COST] += step_branch(i, qb, dq, width_d, br, dep, fin, lat, probes, n_probes, tokens,
                            finals)
    if fin[i]:
        pool_add(lat[i], cnt, pord, st)


@helper
def cmc_open(k, nb, ob, orders, qb, dq, data, ws, st):
    """BRANCH up to k times (fewer when the question runs out of branches)."""
    br, dep, fin, lat, prc, dis, ab, buf, buf2, cnt, pord, cnt2 = ws
    for _ in range(k):
        i = st[N_OPEN]
        if i >= nb:
            return
        st[N_OPEN] = i + 1
        open_branch(i, orders[ob + i], br, dep, fin, lat)
        prc[i] = 0
        dis[i] = 0
        ab[i] = 0
        cmc_step(i, qb, dq, data, ws, st)


@helper
def cmc_abandon(winner, patience, ws, st):
    """Count disagreement rounds; prune the most persistent dissenters, keeping two."""
    br, dep, fin, lat, prc, dis, ab, buf, buf2, cnt, pord, cnt2 = ws
    m = alive_ids(st[N_OPEN], ab, fin, buf)
    n_worst = 0
    for j in range(m):
        i = buf[j]
        dis[i] = dis[i] + 1 if lat[i] != winner else 0
        if dis[i] >= patience:
            buf2[n_worst] = i
            n_worst += 1
    stable_sort_desc(buf2, n_worst, dis)
    for j in range(min(n_worst, max(0, m - 2))):
        ab[buf2[j]] = 1


@helper
def cmc_deepen(winner, burst_aligned, qb, dq, data, ws, st):
    """One round of depth, most-probed branches first; winner-aligned ones burst."""
    br, dep, fin, lat, prc, dis, ab, buf, buf2, cnt, pord, cnt2 = ws
    m = alive_ids(st[N_OPEN], ab, fin, buf)
    stable_sort_desc(buf, m, prc)
    for j in range(m):
        i = buf[j]
        burst = burst_aligned if winner >= 0 and lat[i] == winner else 1
        for _ in range(burst):
            cmc_step(i, qb, dq, data, ws, st)
            prc[i] += 1
            if fin[i]:
                break


@helper
def cmc_episode(q, ob, nb, dq, orders, data, ki, kf, conf, nconf, ws, hist, st):
    """One CMC episode (question q, order at ``orders[ob:]``); returns the answer id
    (-1 for none) and leaves the tokens charged in ``st[COST]``."""
    n_init, max_use, warm_up, patience, t_ema, burst_aligned, widen_burst, min_complete = ki
    alpha, conf_thresh, delta_slack, trend_thresh = kf
    br, dep, fin, lat, prc, dis, ab, buf, buf2, cnt, pord, cnt2 = ws
    qb = q * len(br)  # br has one slot per branch of the widest question (B)
    cmc_open(n_init, nb, ob, orders, qb, dq, data, ws, st)
    if st[N_OPEN] == 0:
        return -1
    ema = 0.0
    step = 0
    while step < MAX_OUTER_STEPS:
        winner, v1, v2 = pool_stats(cnt, pord, st)
        warm = step >= warm_up
        ema = (1 - alpha) * ema + alpha * conf[v1 * nconf + v2]
        hist[step] = ema
        if warm and winner >= 0:
            cmc_abandon(winner, patience, ws, st)
        cmc_deepen(winner if warm else -1, burst_aligned, qb, dq, data, ws, st)
        winner, v1, v2 = pool_stats(cnt, pord, st)
        ema = (1 - alpha) * ema + alpha * conf[v1 * nconf + v2]
        hist[step] = ema
        trend = hist[step] - hist[max(0, step - t_ema + 1)] if step >= 1 else 0.0
        if warm and st[POOL] >= min_complete and ema >= conf_thresh and trend >= -delta_slack:
            return winner
        n = st[N_OPEN]
        if alive_ids(n, ab, fin, buf) == 0:  # every branch finished or abandoned
            break
        if (n < max_use and trend <= trend_thresh and step >= max(1, warm_up // 2)
                and ema < conf_thresh):
            cmc_open(min(widen_burst, max_use - n), nb, ob, orders, qb, dq, data, ws, st)
        step += 1
    if st[POOL] > 0:
        return pool_stats(cnt, pord, st)[0]
    m = 0
    for i in range(st[N_OPEN]):
        if ab[i] == 0:
            buf[m] = i
            m += 1
    return majority_of(buf, m, lat, cnt2)


@kernel
def cmc_kernel(orders, n_seeds, n_questions, n_branches, delta, gold, data, ki, kf, conf, nconf,
               ws, hist, st, correct, cost):
    """Run CMC on every (seed, question): ``orders[(s*Q + q)*B + i]`` is the branch
    shown at position i. Writes ``correct[s*Q + q]`` (0/1) and ``cost[s*Q + q]``."""
    br, dep, fin, lat, prc, dis, ab, buf, buf2, cnt, pord, cnt2 = ws
    width = len(br)
    for s in range(n_seeds):
        for q in range(n_questions):
            for j in range(st[N_LABELS]):  # empty the previous episode's pool
                cnt[pord[j]] = 0
            st[N_OPEN] = 0
            st[POOL] = 0
            st[N_LABELS] = 0
            st[COST] = 0
            ob = (s * n_questions + q) * width
            answer = cmc_episode(q, ob, n_branches[q], delta[q], orders, data, ki, kf, conf,
                                 nconf, ws, hist, st)
            correct[s * n_questions + q] = 1 if answer >= 0 and answer == gold[q] else 0
            cost[s * n_questions + q] = st[COST]
