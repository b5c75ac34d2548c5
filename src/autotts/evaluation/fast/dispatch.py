"""Choose and run a fast path for a built-in controller, or say there is none.

A fast path applies when the controller's type is exactly one of the built-in
classes below (a subclass may change behaviour), ``kappa_probe`` is 0 and no
traces are asked for. A built-in that is a design of the search's space
(``DESIGNS``: it carries its ``genome``) runs on the search's compiled design
kernel, when numba is there. Every fast path returns the same :class:`SeedBlock` the
protocol loop would, so the EvalResult fields are identical.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from autotts.controllers.adaptive_consistency import AdaptiveConsistency
from autotts.controllers.cmc import CMC, MAX_OUTER_STEPS, cmc_schedule
from autotts.controllers.early_stopping import EarlyStoppingConsistency
from autotts.controllers.momentum_consensus import MomentumConsensus
from autotts.controllers.parallel_probe import ParallelProbe
from autotts.controllers.self_consistency import SelfConsistency
from autotts.controllers.short_mk import ShortMK, ShortMKBeta
from autotts.env.store import ReplayStore
from autotts.evaluation.fast import cmc_kernel, design_run, pp_kernel, short_mk_vec, voting_vec
from autotts.evaluation.fast.arrays import StoreArrays, seed_orders, store_arrays
from autotts.evaluation.fast.betatable import confidence_table
from autotts.evaluation.fast.jit import Kernel, numba_enabled
from autotts.evaluation.protocol import SeedBlock

FastPath = Callable[[StoreArrays, object, np.ndarray, bool], tuple[np.ndarray, np.ndarray]]


def has_fast_path(controller, *, kappa_probe: float = 0, traces: bool = False) -> bool:
    """True when :func:`fast_block` can evaluate ``controller`` exactly."""
    if traces or kappa_probe != 0:
        return False
    return type(controller) in FAST_PATHS or (type(controller) in DESIGNS and _kernel_ready())


def fast_block(store: ReplayStore, controller, seeds: Sequence[int], *, kappa_probe: float = 0,
               traces: bool = False, use_numba: bool = True) -> SeedBlock | None:
    """Evaluate ``controller`` on ``seeds`` by its fast path; None when it has none.

    ``use_numba=False`` runs the plain-Python kernels (same numbers, slower).
    """
    if not has_fast_path(controller, kappa_probe=kappa_probe, traces=traces):
        return None
    seeds = list(seeds)
    if type(controller) in DESIGNS:
        return _design_block(store, controller, seeds)
    arrays = store_arrays(store)
    orders = seed_orders(arrays, seeds)
    correct, cost = FAST_PATHS[type(controller)](arrays, controller, orders, use_numba)
    correct = correct.reshape(len(seeds), arrays.n_questions).astype(bool)
    cost = cost.reshape(len(seeds), arrays.n_questions)
    return SeedBlock(seeds=seeds, n_correct=correct.sum(axis=1).tolist(),
                     total_cost=cost.sum(axis=1).tolist(), correct=correct, cost=cost)


# ---- the vectorised baselines ------------------------------------------------
def _by_question(arrays: StoreArrays, orders: np.ndarray, solve) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``solve(seq, tok, k) -> (answer codes, cost)`` to each question's
    [S, n_branches] final-answer sequence; returns flat (correct, cost) [S*Q]."""
    tokens = arrays.tokens.reshape(arrays.n_questions, arrays.width)

    def per_question(q: int, codes: np.ndarray, order: np.ndarray):
        seq_tokens = tokens[q, :order.shape[1]][order]
        return solve(codes[order], seq_tokens, int(codes.max()) + 1)

    return voting_vec.by_question(arrays, orders, per_question)


def _sc(arrays, c: SelfConsistency, orders, use_numba):
    return _by_question(arrays, orders,
                        lambda seq, tok, k: voting_vec.sc_question(seq, tok, k, c.n))


def _asc(arrays, c: AdaptiveConsistency, orders, use_numba):
    table = confidence_table(min(c.max_samples, arrays.width))
    return _by_question(arrays, orders, lambda seq, tok, k: voting_vec.asc_question(
        seq, tok, k, c.max_samples, c.threshold, table))


def _esc(arrays, c: EarlyStoppingConsistency, orders, use_numba):
    return _by_question(arrays, orders, lambda seq, tok, k: voting_vec.esc_question(
        seq, tok, k, c.max_samples, c.window))


def _short_mk(arrays, c: ShortMK | ShortMKBeta, orders, use_numba):
    k, m = c.km if isinstance(c, ShortMKBeta) else (c.k, c.m)
    return short_mk_vec.short_mk_arrays(arrays, orders, k, m)


# ---- the episode kernels (CMC, Parallel-Probe) ----------------------------------
@lru_cache(maxsize=64)
def _as_lists(arrays: StoreArrays) -> tuple[list, ...]:
    return arrays.as_lists()


def _run_kernel(k: Kernel, arrays: StoreArrays, orders: np.ndarray, use_numba: bool,
                ws_sizes: Sequence[int], args_before_ws: tuple, args_after_ws: tuple):
    """Call a kernel on numpy arrays (numba) or on lists (plain Python).

    Kernel arguments: orders, n_seeds, n_questions, n_branches, delta, gold,
    data, *args_before_ws, ws, *args_after_ws, correct, cost; ``ws`` is one
    zeroed int scratch array per entry of ``ws_sizes``. Returns flat (correct, cost).
    """
    n_seeds = orders.shape[0]
    n = n_seeds * arrays.n_questions
    fn = k.compiled if use_numba else None
    if fn is not None:
        probes, n_probes, tokens, finals, n_branches, delta, gold = arrays.kernel_inputs()
        ws = tuple(np.zeros(size, dtype=np.int64) for size in ws_sizes)
        correct, cost = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
        orders_in = orders.ravel()
        conv = _to_numpy
    else:
        fn = k.py
        probes, n_probes, tokens, finals, n_branches, delta, gold = _as_lists(arrays)
        ws = tuple([0] * size for size in ws_sizes)
        correct, cost = [0] * n, [0] * n
        orders_in = orders.ravel().tolist()
        conv = _to_list
    data = (probes, n_probes, tokens, finals, arrays.depth)
    fn(orders_in, n_seeds, arrays.n_questions, n_branches, delta, gold, data,
       *map(conv, args_before_ws), ws, *map(conv, args_after_ws), correct, cost)
    return np.asarray(correct, dtype=np.int64), np.asarray(cost, dtype=np.int64)


def _to_numpy(x):
    return np.asarray(x) if isinstance(x, list) else x


def _to_list(x):
    return x.tolist() if isinstance(x, np.ndarray) else x


def _cmc(arrays: StoreArrays, c: CMC, orders: np.ndarray, use_numba: bool):
    sched = cmc_schedule(c.beta)
    ki, kf = cmc_kernel.schedule_arrays(sched)
    n_conf = min(sched.max_branch_use, arrays.width) + 1  # the pool never exceeds this
    conf = confidence_table(n_conf - 1).ravel()
    width, labels = arrays.width, arrays.n_labels
    # br, dep, fin, lat, prc, dis, ab, buf, buf2 per branch; cnt, pord, cnt2 per answer id
    ws_sizes = [width] * 9 + [labels] * 3
    hist = [0.0] * (MAX_OUTER_STEPS + 1)
    return _run_kernel(cmc_kernel.cmc_kernel, arrays, orders, use_numba, ws_sizes,
                       (tuple(ki), tuple(kf), conf, n_conf),
                       (np.array(hist), np.zeros(4, dtype=np.int64)))


def _pp(arrays: StoreArrays, c: ParallelProbe, orders: np.ndarray, use_numba: bool):
    ki = tuple(getattr(c, k) for k in pp_kernel.INT_KNOBS)
    # br, dep, fin, lat, pr, off, buf per branch; counts per answer id
    ws_sizes = [arrays.width] * 7 + [arrays.n_labels]
    return _run_kernel(pp_kernel.pp_kernel, arrays, orders, use_numba, ws_sizes,
                       (ki,), (np.zeros(1, dtype=np.int64),))


# ---- built-in designs of the search's space ----------------------------------
def _kernel_ready() -> bool:
    return numba_enabled()  # the design kernel has no plain-Python twin


def _design_block(store: ReplayStore, controller, seeds: list[int]) -> SeedBlock:
    """The design (its ``genome``'s parts, its own knob values at its beta) on the
    compiled kernel: the numbers of its readable solve(), as for every generated
    design."""
    values = controller.knobs()
    enc = design_run.encode_values(controller.genome["parts"], [values], "ema_alpha" in values)
    run = design_run.run_encoded(enc, store, seeds, ceiling=10**6)
    correct, cost = design_run.correct_of(store, run.answers[0]), run.cost[0]
    return SeedBlock(seeds=seeds, n_correct=correct.sum(axis=1).tolist(),
                     total_cost=cost.sum(axis=1).tolist(), correct=correct, cost=cost)


DESIGNS: frozenset[type] = frozenset({MomentumConsensus})

FAST_PATHS: dict[type, FastPath] = {
    SelfConsistency: _sc,
    AdaptiveConsistency: _asc,
    EarlyStoppingConsistency: _esc,
    CMC: _cmc,
    ParallelProbe: _pp,
    ShortMK: _short_mk,
    ShortMKBeta: _short_mk,
}
