"""A whole store as a few flat integer arrays, built once per worker process.

Kernels index flat arrays with explicit offsets (``a[q * B + b]``) so the same
kernel source runs under numba (numpy arrays) and as plain Python (lists).
Answer ids are the store's per-question ids (``CompiledQuestion.labels``), so
an answer is correct iff its id equals ``gold_id`` (and is not -1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from autotts.env.store import ReplayStore
from autotts.evaluation.protocol import shuffled_order


@dataclass(frozen=True, eq=False)
class StoreArrays:
    """Padded, flattened copy of a store. B = widest question, D = most probes.

    ``probes[(q*B + b)*D + j]`` is branch b's j-th probe id, ``n_probes[q*B + b]``,
    ``tokens[q*B + b]`` and ``finals[q*B + b]`` its probe count, length and
    final answer id; ``n_branches[q]``, ``delta[q]`` and ``gold[q]`` are per
    question; ``n_labels`` bounds every answer id (scratch size for counts).
    """

    n_questions: int
    width: int      # B
    depth: int      # D
    n_labels: int
    probes: np.ndarray
    n_probes: np.ndarray
    tokens: np.ndarray
    finals: np.ndarray
    n_branches: np.ndarray
    delta: np.ndarray
    gold: np.ndarray

    def as_lists(self) -> tuple[list, ...]:
        """The kernel inputs as Python lists (fast indexing for the pure-Python kernels)."""
        return tuple(a.tolist() for a in self.kernel_inputs())

    def kernel_inputs(self) -> tuple[np.ndarray, ...]:
        """(probes, n_probes, tokens, finals, n_branches, delta, gold), the order kernels take."""
        return (self.probes, self.n_probes, self.tokens, self.finals, self.n_branches,
                self.delta, self.gold)


@lru_cache(maxsize=64)
def store_arrays(store: ReplayStore) -> StoreArrays:
    """Compile ``store`` into :class:`StoreArrays` (cached per store object)."""
    qs = store.questions
    nq = len(qs)
    width = max(q.n_branches for q in qs)
    depth = max(q.probes.shape[1] for q in qs)
    probes = np.full((nq, width, depth), -1, dtype=np.int64)
    n_probes = np.zeros((nq, width), dtype=np.int64)
    tokens = np.zeros((nq, width), dtype=np.int64)
    finals = np.full((nq, width), -1, dtype=np.int64)
    for qi, q in enumerate(qs):
        nb, d = q.probes.shape
        probes[qi, :nb, :d] = q.probes
        n_probes[qi, :nb] = q.n_probes
        tokens[qi, :nb] = q.tokens
        finals[qi, :nb] = q.finals
    return StoreArrays(
        n_questions=nq, width=width, depth=depth,
        n_labels=max(len(q.labels) for q in qs),
        probes=probes.ravel(), n_probes=n_probes.ravel(), tokens=tokens.ravel(),
        finals=finals.ravel(),
        n_branches=np.array([q.n_branches for q in qs], dtype=np.int64),
        delta=np.array([q.delta for q in qs], dtype=np.int64),
        gold=np.array([q.gold_id for q in qs], dtype=np.int64),
    )


def seed_orders(arrays: StoreArrays, seeds: Sequence[int]) -> np.ndarray:
    """Branch orders for every (seed, question): int64 [S, Q, B], padded with -1.

    Row (s, q) is ``shuffled_order(seeds[s], n_branches[q])``, the protocol's order.
    """
    nb = arrays.n_branches.tolist()
    out = np.full((len(seeds), arrays.n_questions, arrays.width), -1, dtype=np.int64)
    # questions with the same branch count share each seed's order: one shuffle per
    # (seed, count) and one assignment per count, not one per (seed, question)
    for n in sorted(set(nb)):
        rows = [qi for qi, m in enumerate(nb) if m == n]
        orders = np.array([shuffled_order(seed, n) for seed in seeds], dtype=np.int64)
        out[:, rows, :n] = orders.reshape(len(seeds), 1, n)
    return out
