"""A design of the search's space on the compiled design kernel
(:mod:`.design_kernel`), given as its five part names and its knob values per
beta: the kernel's arrays, a store's extra arrays, and one call that runs it
over (beta, seed, question).

Whoever knows the design's knob values calls this: the search, from a genome
(``discovery/proposers/search/compiled.py``), and a built-in controller that is
such a design, from its own ``schedule(beta)`` (its fast path,
:mod:`.dispatch`). Needs numba (the kernel is imported on first use).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from autotts.env.store import ReplayStore
from autotts.evaluation.fast.arrays import seed_orders, store_arrays

#: The kernel's knob columns: whole knobs (``ki``) and fractions (``kf``), in order.
INT_KNOBS = ("n_init", "max_branches", "warm_up", "trend_len", "refill", "widen_size", "every",
             "depth_burst", "aligned_burst", "lanes", "patience", "keep", "min_votes",
             "stable_steps", "streak", "margin", "first_m", "settle_len", "after_burst")
FLOAT_KNOBS = ("ema_alpha", "decay", "stall", "widen_conf", "share", "conf_thresh", "slack",
               "len_power", "steady_weight", "prune_conf")


@dataclass(frozen=True)
class Encoded:
    """A design at some betas as the kernel reads it."""

    parts: np.ndarray     # int64 [5]: vote, widen, depth, prune, stop codes
    ki: np.ndarray        # int64 [betas, 19]
    kf: np.ndarray        # float64 [betas, 10]
    has_ema: bool


def encode_values(parts: dict[str, str], values: Sequence[dict], has_ema: bool) -> Encoded:
    """The kernel's arrays for a design with these part names and, per beta, these
    knob values (knobs the design lacks are 0; ``trend_len`` 2 when it has none)."""
    from autotts.evaluation.fast.design_kernel import SLOTS

    codes = np.array([SLOTS[s].index(parts[s]) for s in SLOTS], dtype=np.int64)
    ki = np.zeros((len(values), len(INT_KNOBS)), dtype=np.int64)
    kf = np.zeros((len(values), len(FLOAT_KNOBS)), dtype=np.float64)
    for b, given in enumerate(values):
        v = {"trend_len": 2, **given}  # Branches(ep, 2) when no part watches the EMA
        for j, name in enumerate(INT_KNOBS):
            ki[b, j] = int(v.get(name, 0))
        for j, name in enumerate(FLOAT_KNOBS):
            kf[b, j] = float(v.get(name, 0.0))
    return Encoded(codes, ki, kf, has_ema)


@lru_cache(maxsize=64)
def err_ids(store: ReplayStore) -> np.ndarray:
    """Per question, the answer id of ``'ERR'`` (-2 where no branch has it)."""
    return np.array([q.labels.index("ERR") if "ERR" in q.labels else -2
                     for q in store.questions], dtype=np.int64)


@lru_cache(maxsize=256)
def _orders(store: ReplayStore, seeds: tuple[int, ...]) -> np.ndarray:
    return seed_orders(store_arrays(store), seeds)


_LOCAL = threading.local()  # per thread: the weighted-confidence table the kernel fills


def run_encoded(enc: Encoded, store: ReplayStore, seeds: Sequence[int], ceiling: int = 64):
    """The design on every (beta, seed, question) of ``store``: a
    :class:`~autotts.evaluation.fast.design_kernel.DesignRun`."""
    from autotts.evaluation.fast import design_kernel as dk
    from autotts.evaluation.fast.betatable import confidence_table
    from autotts.evaluation.fast.design_votes import new_cache

    cache = getattr(_LOCAL, "cache", None)
    if cache is None:  # one per thread: the kernel runs without the GIL and fills it
        cache = _LOCAL.cache = new_cache()
    conf = confidence_table(dk.CEILING).ravel()
    return dk.run(enc.parts, enc.ki, enc.kf, enc.has_ema, store_arrays(store),
                  _orders(store, tuple(seeds)), err_ids(store), conf, cache,
                  ceiling=min(ceiling, dk.CEILING))


def correct_of(store: ReplayStore, answers: np.ndarray) -> np.ndarray:
    """Bool [..., questions]: answer id equals the question's gold id."""
    gold = store_arrays(store).gold
    return (answers >= 0) & (answers == gold)
