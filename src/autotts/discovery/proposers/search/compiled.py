"""Generated designs on the compiled design kernel
(:mod:`autotts.evaluation.fast.design_kernel`): the genome as the kernel's
arrays, a store's extra arrays, and one call that runs a design over
(beta, seed, question) and gives the answers, costs and episode logs the
readable path (the rendered file through the protocol) gives.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from autotts.discovery.proposers.search.space import KNOBS, SLOTS, Genome, knob_values, normalize
from autotts.env.store import ReplayStore
from autotts.evaluation.fast.arrays import seed_orders, store_arrays
from autotts.evaluation.fast.jit import numba_enabled

INT_KNOBS = ("n_init", "max_branches", "warm_up", "trend_len", "refill", "widen_size", "every",
             "depth_burst", "aligned_burst", "lanes", "patience", "keep", "min_votes",
             "stable_steps", "streak", "margin", "first_m", "settle_len", "after_burst")
FLOAT_KNOBS = ("ema_alpha", "decay", "stall", "widen_conf", "share", "conf_thresh", "slack",
               "len_power", "steady_weight", "prune_conf")
assert set(INT_KNOBS) == {n for n, k in KNOBS.items() if k.whole}
assert set(FLOAT_KNOBS) == {n for n, k in KNOBS.items() if not k.whole}


NO_FAST_ENV = "AUTOTTS_NO_FAST"  # set to 1: generated designs run as readable Python


def available() -> bool:
    """True when the compiled path can run: numba installed and neither
    ``AUTOTTS_NO_NUMBA`` nor ``AUTOTTS_NO_FAST`` set."""
    return numba_enabled() and os.environ.get(NO_FAST_ENV, "") in ("", "0")


@dataclass(frozen=True)
class Encoded:
    """A genome at some betas as the kernel reads it."""

    parts: np.ndarray     # int64 [5]: vote, widen, depth, prune, stop codes
    ki: np.ndarray        # int64 [betas, 19]
    kf: np.ndarray        # float64 [betas, 10]
    has_ema: bool


def encode(genome: Genome, betas: Sequence[float]) -> Encoded:
    """The kernel's arrays for ``genome`` at ``betas`` (knob values exactly as the
    generated ``schedule(beta)`` computes them; knobs the design lacks are 0)."""
    from autotts.evaluation.fast.design_kernel import SLOTS as KSLOTS

    g = normalize(genome)
    assert {s: set(v) for s, v in KSLOTS.items()} == {s: set(v) for s, v in SLOTS.items()}
    parts = np.array([KSLOTS[s].index(g["parts"][s]) for s in KSLOTS], dtype=np.int64)
    ki = np.zeros((len(betas), len(INT_KNOBS)), dtype=np.int64)
    kf = np.zeros((len(betas), len(FLOAT_KNOBS)), dtype=np.float64)
    for b, beta in enumerate(betas):
        values = knob_values(g, beta)
        values.setdefault("trend_len", 2)  # Branches(ep, 2) when no part watches the EMA
        for j, name in enumerate(INT_KNOBS):
            ki[b, j] = int(values.get(name, 0))
        for j, name in enumerate(FLOAT_KNOBS):
            kf[b, j] = float(values.get(name, 0.0))
    return Encoded(parts, ki, kf, "ema_alpha" in g["coefs"])


@lru_cache(maxsize=64)
def err_ids(store: ReplayStore) -> np.ndarray:
    """Per question, the answer id of ``'ERR'`` (-2 where no branch has it)."""
    return np.array([q.labels.index("ERR") if "ERR" in q.labels else -2
                     for q in store.questions], dtype=np.int64)


@lru_cache(maxsize=256)
def _orders(store: ReplayStore, seeds: tuple[int, ...]) -> np.ndarray:
    return seed_orders(store_arrays(store), seeds)


_LOCAL = threading.local()  # per thread: the weighted-confidence table the kernel fills


def run_design(genome: Genome, store: ReplayStore, betas: Sequence[float],
               seeds: Sequence[int], ceiling: int = 64):
    """The design on every (beta, seed, question) of ``store``: a
    :class:`~autotts.evaluation.fast.design_kernel.DesignRun`."""
    from autotts.evaluation.fast import design_kernel as dk
    from autotts.evaluation.fast.betatable import confidence_table
    from autotts.evaluation.fast.design_votes import new_cache

    cache = getattr(_LOCAL, "cache", None)
    if cache is None:  # one per thread: the kernel runs without the GIL and fills it
        cache = _LOCAL.cache = new_cache()
    enc = encode(genome, betas)
    conf = confidence_table(dk.CEILING).ravel()
    return dk.run(enc.parts, enc.ki, enc.kf, enc.has_ema, store_arrays(store),
                  _orders(store, tuple(seeds)), err_ids(store), conf, cache,
                  ceiling=min(ceiling, dk.CEILING))


def answer_strings(store: ReplayStore, answers: np.ndarray) -> list[str | None]:
    """Answer ids of one beta (seeds x questions) as the strings solve() returned."""
    labels = [q.labels for q in store.questions]
    nq = len(labels)
    return [None if a < 0 else labels[j % nq][a] for j, a in enumerate(answers.ravel().tolist())]


def correct_of(store: ReplayStore, answers: np.ndarray) -> np.ndarray:
    """Bool [..., questions]: answer id equals the question's gold id."""
    gold = store_arrays(store).gold
    return (answers >= 0) & (answers == gold)


def screen_points(genome: Genome, store: ReplayStore, betas: Sequence[float],
                  seeds: Sequence[int]) -> list[dict]:
    """Per beta the point screening computes from the protocol, here from the
    kernel: ``accuracy`` (%), ``tokens`` and ``opened`` (means per question: the
    same integer sums, then one division each) and per question ``q_rate`` and
    ``q_tokens`` (means over the seeds, as ``EvalResult.question_correct_rate``
    and ``question_tokens``). The protocol's episode has no branch ceiling below
    the question's; no design opens more than 64, so it is the same."""
    run = run_design(genome, store, betas, seeds, ceiling=10**6)
    right = correct_of(store, run.answers)
    n = len(seeds) * len(store.questions)
    return [{"accuracy": 100.0 * int(right[b].sum()) / n, "tokens": int(run.cost[b].sum()) / n,
             "opened": int(run.opened[b].sum()) / n,
             "q_rate": right[b].mean(axis=0).tolist(),
             "q_tokens": run.cost[b].astype(float).mean(axis=0).tolist()}
            for b in range(len(betas))]


def protocol_results(controller_file: str, stores: Sequence[ReplayStore], specs,
                     seeds: Sequence[int]) -> list | None:
    """``run_cells``' EvalResults (store-major, then ``specs``) for a controller
    file that is byte-identical to a generated design, from the kernel; None when
    it is not one (or the kernel is off), so the caller runs the file itself."""
    from pathlib import Path

    from autotts.discovery.proposers.search.recognize import generated_genome
    from autotts.evaluation.protocol import SeedBlock, to_result

    path, _, cls_name = controller_file.partition(":")
    if not available() or not Path(path).is_file():
        return None
    found = generated_genome(Path(path).read_text())
    if found is None or cls_name not in ("", found[1]):
        return None
    controllers = [spec.build() for spec in specs]
    if any(set(c.params()) != {"beta"} for c in controllers):
        return None
    betas = [float(c.beta) for c in controllers]
    out = []
    for store in stores:
        run = run_design(found[0], store, betas, seeds, ceiling=10**6)
        right = correct_of(store, run.answers)
        for b, (spec, c) in enumerate(zip(specs, controllers)):
            block = SeedBlock(list(seeds), [int(n) for n in right[b].sum(axis=1)],
                              [int(x) for x in run.cost[b].sum(axis=1)], right[b],
                              run.cost[b].astype(float))
            out.append(to_result(block, env=store.name, controller=spec.label,
                                 params=c.params()))
    return out
