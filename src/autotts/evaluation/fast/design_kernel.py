"""One compiled kernel for the built-in search's whole design space.

A design is five slot codes (vote, widen, depth, prune, stop; the variant
names' positions in the tuples below) and, per beta, its knob values as two
arrays (whole knobs ``ki``, fractions ``kf``; layout in :mod:`.design_moves`).
Every variant is a branch inside the kernel, so the kernel is compiled once
(numba's on-disk cache) and a new design costs no compilation.

The episode loop mirrors ``SearchController.solve`` as
``discovery/proposers/search/codegen.py`` renders it, at ``kappa_probe = 0``;
costs are integers (Δ per probe, the rest of the branch at the finish), so
they are exact. Needs numba: import this module only when
:func:`autotts.evaluation.fast.jit.numba_enabled` is true.

numba's disk cache is keyed on this file alone (its contents: touching it is
not enough): after editing ``design_ops.py``, ``design_votes.py`` or
``design_moves.py`` in place, delete ``fast/__pycache__/design_kernel.*`` so the
kernel is compiled again (an installed upgrade rewrites every file, which is
enough). Every helper is inlined into the one kernel function, so compiling
takes a minute or more; loading the cached code a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autotts.evaluation.fast import design_ops as ops
from autotts.evaluation.fast.design_moves import (
    DEPTHS,
    F_EMA_ALPHA,
    I_MAX_BRANCHES,
    I_N_INIT,
    I_REFILL,
    I_WARM_UP,
    PRUNES,
    STOPS,
    WIDENS,
    deepen,
    prune,
    stop,
    widen,
)
from autotts.evaluation.fast.design_ops import hot
from autotts.evaluation.fast.design_votes import VOTES, answer, vote
from autotts.evaluation.fast.jit import kernel

MAX_STEPS = 500      # outer rounds per question (codegen.MAX_STEPS)
CEILING = 64         # no design opens more (the max_branches knob's range)
SLOTS = {"vote": VOTES, "widen": WIDENS, "depth": DEPTHS, "prune": PRUNES, "stop": STOPS}
N_INT, N_FLOAT = 19, 10


@hot
def episode(parts, ki, kf, has_ema, limit, ob, orders, qb, dq, err, data, conf, nconf, cache,
            W, SEEN, FC, hist, fs, st):
    """``SearchController.solve`` on one episode; returns the answer id (-1 = None).
    One function on purpose: the loop's order is the generated ``solve`` line by line."""
    c_vote, c_widen, c_depth, c_prune, c_stop = parts[0], parts[1], parts[2], parts[3], parts[4]
    ops.open_n(min(ki[I_N_INIT], ki[I_MAX_BRANCHES]), limit, ob, orders, qb, dq, data, W, SEEN,
               FC, st)
    if st[ops.N_OPEN] == 0:
        return -1
    alpha = kf[F_EMA_ALPHA]
    for step in range(MAX_STEPS):
        warm = step >= ki[I_WARM_UP]
        winner, confv = vote(c_vote, ki, kf, err, conf, nconf, cache, W, SEEN, FC, st)
        if has_ema:
            ops.track(confv, alpha, True, hist, fs, st)
        if c_prune != 0 and warm and winner >= 0:
            prune(c_prune, winner, ki, kf, err, conf, nconf, W, SEEN, FC, st)
        deepen(c_depth, winner if warm else -1, ki, qb, dq, data, W, SEEN, FC, st)
        winner, confv = vote(c_vote, ki, kf, err, conf, nconf, cache, W, SEEN, FC, st)
        if has_ema:
            ops.track(confv, alpha, False, hist, fs, st)
        if stop(c_stop, winner, confv, warm, ki, kf, hist, fs, W, SEEN, FC, st):
            return winner
        n = st[ops.N_OPEN]
        room = ki[I_MAX_BRANCHES] - n
        if ops.alive_into(ops.BUF2, W, SEEN, FC, st) == 0:
            if ki[I_REFILL] <= 0 or room <= 0 or limit - n <= 0:
                break
            ops.open_n(min(ki[I_REFILL], room), limit, ob, orders, qb, dq, data, W, SEEN, FC, st)
            continue
        if c_widen != 0 and room > 0:
            k = widen(c_widen, winner, confv, step, ki, kf, err, hist, fs, W, SEEN, FC, st)
            ops.open_n(min(k, room), limit, ob, orders, qb, dq, data, W, SEEN, FC, st)
    return answer(c_vote, ki, kf, err, W, SEEN, FC, st)


@hot
def reset(W, SEEN, FC, fs, st):
    """Empty the previous episode's pool and scratch counts."""
    for j in range(st[ops.N_PORD]):
        W[ops.PCNT, W[ops.PORD, j]] = 0
    ops.c_clear(W, SEEN, FC, st)
    for j in (ops.N_OPEN, ops.N_POOL, ops.N_PORD, ops.COST, ops.N_ORDER, ops.N_VOTES,
              ops.STABLE, ops.N_HIST):
        st[j] = 0
    st[ops.LAST_WIN] = -1
    fs[ops.EMA] = 0.0


# no reference counting (nrt=False): the kernel allocates nothing, and counting every
# array bound inside the inlined helpers cost about half its time
@kernel(nrt=False)
def design_kernel(parts, ki_all, kf_all, has_ema, ceiling, orders, n_seeds, n_questions, width,
                  n_branches, delta, err_ids, data, conf, nconf, cache, W, SEEN, FC, hist, fs, st,
                  answers, cost, opened, depths):
    """Every (beta, seed, question) episode of one design; ``orders[(s*Q + q)*B + i]``
    is the branch shown at position i. Writes, at e = (beta*S + s)*Q + q, the answer
    id ``answers[e]``, ``cost[e]``, ``opened[e]`` and the opened branches' depths
    ``depths[e*ceiling + i]`` in opening order.

    Question by question: one question's branches (a few dozen KB of probes) stay in
    the CPU's cache for all its betas and seeds, where beta-major order read the whole
    store (MBs) again for every (beta, seed). Episodes are independent, so the order
    changes no number."""
    for q in range(n_questions):
        limit = min(n_branches[q], ceiling)
        for bi in range(ki_all.shape[0]):
            ki = ki_all[bi]
            kf = kf_all[bi]
            for s in range(n_seeds):
                reset(W, SEEN, FC, fs, st)
                ob = (s * n_questions + q) * width
                a = episode(parts, ki, kf, has_ema, limit, ob, orders, q * width, delta[q],
                            err_ids[q], data, conf, nconf, cache, W, SEEN, FC, hist, fs, st)
                e = (bi * n_seeds + s) * n_questions + q
                answers[e] = a
                cost[e] = st[ops.COST]
                n = st[ops.N_OPEN]
                opened[e] = n
                for i in range(n):
                    depths[e * ceiling + i] = W[ops.DEP, i]


@dataclass
class DesignRun:
    """Raw outcome of one design on one store: ``answers``, ``cost`` and ``opened``
    shaped (betas, seeds, questions); ``depths`` (betas, seeds, questions, ceiling),
    of which each episode's first ``opened`` are written (the rest is never read)."""

    answers: np.ndarray
    cost: np.ndarray
    opened: np.ndarray
    depths: np.ndarray

    def log(self, b: int) -> tuple[np.ndarray, np.ndarray]:
        """Beta b's episode log in the sandbox's format: (opened, depths) seed-major,
        packed only when asked for (grading reads the kernel's costs instead)."""
        opened = self.opened[b].ravel()
        rows = self.depths[b].reshape(opened.shape[0], -1)
        return opened, rows[np.arange(rows.shape[1]) < opened[:, None]]


def run(parts: np.ndarray, ki: np.ndarray, kf: np.ndarray, has_ema: bool, arrays, orders,
        err_ids: np.ndarray, conf: np.ndarray, cache, ceiling: int = CEILING) -> DesignRun:
    """Run the compiled kernel; ``arrays`` a StoreArrays, ``orders`` from ``seed_orders``."""
    n_seeds, nq, width = orders.shape
    nb = ki.shape[0]
    seen_w = arrays.depth + 2
    L = arrays.n_labels
    i64 = np.int64
    W = np.zeros((ops.W_ROWS, max(width, L)), i64)
    SEEN = np.zeros(width * seen_w, i64)
    FC = np.zeros(L, np.float64)
    st = np.zeros(ops.ST_SIZE, i64)
    st[ops.SEEN_W] = seen_w
    fs = np.zeros(1, np.float64)
    hist = np.zeros(MAX_STEPS + 1, np.float64)
    n_ep = nb * n_seeds * nq
    answers, cost, opened = (np.zeros(n_ep, i64) for _ in range(3))
    ceiling = min(ceiling, CEILING)
    # np.empty: pages the kernel never writes (past each episode's opened) stay untouched
    depths = np.empty(n_ep * ceiling, np.int32)
    data = (arrays.probes, arrays.n_probes, arrays.tokens, arrays.finals, arrays.depth)
    design_kernel.compiled(parts, ki, kf, has_ema, ceiling, orders.ravel(), n_seeds, nq, width,
                           arrays.n_branches, arrays.delta, err_ids, data, conf,
                           conf_side(conf), cache, W, SEEN, FC, hist, fs, st, answers, cost,
                           opened, depths)
    shape = (nb, n_seeds, nq)
    return DesignRun(answers.reshape(shape), cost.reshape(shape), opened.reshape(shape),
                     depths.reshape(shape + (ceiling,)))


def conf_side(conf: np.ndarray) -> int:
    """Row length of the flattened confidence table."""
    return int(round(len(conf) ** 0.5))
