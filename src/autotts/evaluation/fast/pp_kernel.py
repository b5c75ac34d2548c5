"""Parallel-Probe over many (seed, question) episodes in one call, exactly as
:mod:`autotts.controllers.parallel_probe` at ``kappa_probe = 0``."""

from __future__ import annotations

from autotts.evaluation.fast.episode_ops import majority_of, open_branch, step_branch
from autotts.evaluation.fast.jit import helper, kernel

INT_KNOBS = ("num_chains", "T", "prune_patience", "warm_up", "probe_burst", "max_steps")


@helper
def unpruned_ids(n, pr, out):
    """Write the ids of unpruned chains to ``out``; returns how many."""
    m = 0
    for i in range(n):
        if pr[i] == 0:
            out[m] = i
            m += 1
    return m


@helper
def pp_episode(q, ob, nb, dq, orders, data, ki, ws, cost):
    """One Parallel-Probe episode; returns the answer id (-1 for none) and adds
    the tokens charged to ``cost[0]``."""
    num_chains, t_stable, patience, warm_up, burst, max_steps = ki
    probes, n_probes, tokens, finals, width_d = data
    br, dep, fin, lat, pr, off, buf, counts = ws
    qb = q * len(br)  # br has one slot per branch of the widest question (B)
    n = min(num_chains, nb)
    for i in range(n):  # open_many: each new branch takes its first step
        open_branch(i, orders[ob + i], br, dep, fin, lat)
        pr[i] = 0
        off[i] = 0
        cost[0] += step_branch(i, qb, dq, width_d, br, dep, fin, lat, probes, n_probes,
                               tokens, finals)
    prev, stable = -1, 0
    for step in range(max_steps):
        for i in range(n):  # every live branch takes `burst` steps
            if pr[i] == 0 and fin[i] == 0:
                for _ in range(burst):
                    cost[0] += step_branch(i, qb, dq, width_d, br, dep, fin, lat, probes,
                                           n_probes, tokens, finals)
                    if fin[i]:
                        break
        m = unpruned_ids(n, pr, buf)
        if m == 0:
            return prev
        winner = majority_of(buf, m, lat, counts)
        if step >= warm_up and m > 1:  # prune off-track branches
            pruned_any = False
            for j in range(m):
                i = buf[j]
                if fin[i]:
                    continue
                off[i] = off[i] + 1 if lat[i] != winner else 0
                if off[i] >= patience:
                    pr[i] = 1
                    pruned_any = True
            if pruned_any:
                m = unpruned_ids(n, pr, buf)
                if m == 0:
                    return prev
                winner = majority_of(buf, m, lat, counts)
        stable = stable + 1 if winner == prev else 0
        if stable >= t_stable:
            return winner
        prev = winner
        done = True
        for i in range(n):
            if fin[i] == 0 and pr[i] == 0:
                done = False
                break
        if done:
            break
    return prev


@kernel
def pp_kernel(orders, n_seeds, n_questions, n_branches, delta, gold, data, ki, ws, cost1,
              correct, cost):
    """Run Parallel-Probe on every (seed, question); writes ``correct[s*Q + q]`` (0/1)
    and ``cost[s*Q + q]``. ``cost1`` is a one-slot scratch accumulator."""
    width = len(ws[0])
    for s in range(n_seeds):
        for q in range(n_questions):
            cost1[0] = 0
            ob = (s * n_questions + q) * width
            answer = pp_episode(q, ob, n_branches[q], delta[q], orders, data, ki, ws, cost1)
            k = s * n_questions + q
            correct[k] = 1 if answer >= 0 and answer == gold[q] else 0
            cost[k] = cost1[0]
