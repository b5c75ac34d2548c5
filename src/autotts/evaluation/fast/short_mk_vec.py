"""short-m@k for all seeds at once with numpy, one question at a time.

The episode is fixed by the first k branches of a seed's order: branch b
finishes in interval ``n_probes[b] + 1`` and costs ``L_b = max(T_b,
n_probes[b] * Δ)`` (its charged length). Sorting the k branches by
(finish interval, length, opening position) gives the finish order of
:func:`autotts.controllers.short_mk.short_m_at_k`; the m-th finisher's
interval t fixes the cost ``sum(L_b if interval_b <= t else t * Δ)``, and
the first m finishers vote in finish order.
"""

from __future__ import annotations

import numpy as np

from autotts.evaluation.fast import voting_vec
from autotts.evaluation.fast.arrays import StoreArrays


def short_mk_question(order: np.ndarray, codes: np.ndarray, n_probes: np.ndarray,
                      tokens: np.ndarray, delta: int, k: int, m: int):
    """(answer codes [S], cost [S]) for one question.

    ``order`` [S, nb] holds each seed's branch order; ``codes``, ``n_probes``
    and ``tokens`` [nb] the branches' dense final-answer codes, probe counts
    and lengths.
    """
    kk = min(k, order.shape[1])
    opened = order[:, :kk]
    finish = n_probes[opened] + 1                          # [S, kk] finishing interval
    length = np.maximum(tokens[opened], n_probes[opened] * delta)
    # lexsort is stable and sorts by its last key first: interval, then length,
    # then (stability) opening position.
    rank = np.lexsort((length, finish), axis=-1)
    rows = np.arange(order.shape[0])[:, None]
    mm = min(m, kk)
    stop = finish[rows[:, 0], rank[:, mm - 1]]             # interval of the m-th finisher
    cost = np.where(finish <= stop[:, None], length, stop[:, None] * delta).sum(axis=1)
    voters = codes[opened[rows, rank[:, :mm]]]             # [S, mm] in finish order
    k_codes = int(codes.max()) + 1
    hot = voting_vec.one_hot(voters, k_codes)
    return voting_vec.vote_winner(hot.sum(axis=1), voting_vec.first_seen(hot)), cost


def short_mk_arrays(arrays: StoreArrays, orders: np.ndarray, k: int, m: int):
    """Flat (correct, cost) [S*Q] of short-m@k over every seed and question."""
    nq, width = arrays.n_questions, arrays.width
    n_probes = arrays.n_probes.reshape(nq, width)
    tokens = arrays.tokens.reshape(nq, width)

    def solve(q: int, codes: np.ndarray, order: np.ndarray):
        n_seeds, nb = order.shape
        if nb == 0 or k < 1:  # nothing opened: answer None (wrong), cost 0
            return np.full(n_seeds, -1), np.zeros(n_seeds, dtype=np.int64)
        return short_mk_question(order, codes, n_probes[q, :nb], tokens[q, :nb],
                                 int(arrays.delta[q]), k, m)

    return voting_vec.by_question(arrays, orders, solve)
