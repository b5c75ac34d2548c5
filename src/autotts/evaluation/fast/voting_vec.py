"""SC, ASC and ESC for all seeds at once with numpy, one question at a time.

These baselines only read whole branches, so one question's episode for seed
s is fixed by the sequence of final answers in that seed's branch order.
Final-answer ids are renumbered densely per question (``codes``) so vote
counts are small [S, reads, answers] arrays. Ties follow
:func:`~autotts.controllers.voting.majority`: the answer seen first wins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from autotts.evaluation.fast.arrays import StoreArrays


def by_question(arrays: StoreArrays, orders: np.ndarray, solve) -> tuple[np.ndarray, np.ndarray]:
    """Apply ``solve(q, codes, order) -> (answer codes [S], cost [S])`` to every question
    (``codes`` [nb]: its branches' dense final-answer codes; ``order`` [S, nb]: each seed's
    branch order); returns flat (correct, cost) [S*Q]. Answer code -1 (none) is wrong."""
    nq = arrays.n_questions
    finals = arrays.finals.reshape(nq, arrays.width)
    correct = np.zeros((orders.shape[0], nq), dtype=np.int64)
    cost = np.zeros((orders.shape[0], nq), dtype=np.int64)
    for q in range(nq):
        nb = int(arrays.n_branches[q])
        codes, gold = dense_finals(finals[q, :nb], int(arrays.gold[q]))
        answer, cost[:, q] = solve(q, codes, orders[:, q, :nb])
        correct[:, q] = (answer >= 0) & (answer == gold) & (gold >= 0)
    return correct.ravel(), cost.ravel()


def dense_finals(finals: np.ndarray, gold: int) -> tuple[np.ndarray, int]:
    """(codes, gold_code): final ids renumbered 0..K-1; gold_code -1 if never final."""
    labels, codes = np.unique(finals, return_inverse=True)
    hit = np.flatnonzero(labels == gold)
    return codes, int(hit[0]) if hit.size and gold >= 0 else -1


def one_hot(seq: np.ndarray, k: int) -> np.ndarray:
    """Boolean one-hot [S, m, k]: seq[s, t] == answer."""
    return seq[:, :, None] == np.arange(k)


def first_seen(hot: np.ndarray) -> np.ndarray:
    """[S, k]: read index at which each answer first appears (m if never)."""
    m = hot.shape[1]
    return np.where(hot.any(axis=1), hot.argmax(axis=1), m)


def vote_winner(counts: np.ndarray, first: np.ndarray) -> np.ndarray:
    """[S]: the answer with the most votes, ties to the one seen first."""
    big = first.shape[-1] + counts.shape[1] + 1
    return np.argmax(counts * big - first, axis=-1)


def sc_question(seq: np.ndarray, tok: np.ndarray, k: int, n: int):
    """SC@n: (answer [S], cost [S]) given answers ``seq`` and lengths ``tok`` [S, B]."""
    m = min(n, seq.shape[1])
    hot = one_hot(seq[:, :m], k)
    return vote_winner(hot.sum(axis=1), first_seen(hot)), tok[:, :m].sum(axis=1)


def asc_question(seq: np.ndarray, tok: np.ndarray, k: int, max_samples: int,
                 threshold: float, table: np.ndarray):
    """ASC: stop at the first read t >= 2 whose Beta confidence exceeds ``threshold``."""
    m = min(max_samples, seq.shape[1])
    hot = one_hot(seq[:, :m], k)
    counts = np.cumsum(hot, axis=1)                       # [S, m, k] after each read
    top = np.sort(counts, axis=2)
    v1 = top[:, :, -1]
    v2 = top[:, :, -2] if k > 1 else np.zeros_like(v1)
    confident = table[v1, v2] > threshold
    confident[:, 0] = False                               # checked from the 2nd read on
    stop = np.where(confident.any(axis=1), confident.argmax(axis=1), m - 1)
    rows = np.arange(seq.shape[0])
    answer = vote_winner(counts[rows, stop], first_seen(hot))
    cost = np.cumsum(tok[:, :m], axis=1)[rows, stop]
    return answer, cost


def esc_question(seq: np.ndarray, tok: np.ndarray, k: int, max_samples: int, window: int):
    """ESC: stop after the first unanimous window; else the majority of every read.

    Returns (answer [S] with -1 for no answer, cost [S])."""
    n_seeds, nb = seq.shape
    m = min((max_samples // window) * window, nb)
    if m == 0:
        return np.full(n_seeds, -1), np.zeros(n_seeds, dtype=np.int64)
    hot = one_hot(seq[:, :m], k)
    answer = vote_winner(hot.sum(axis=1), first_seen(hot))
    reads = np.full(n_seeds, m)
    decided = np.zeros(n_seeds, dtype=bool)
    for start in range(0, m, window):                    # a short last window still counts
        win = seq[:, start:min(start + window, m)]
        hit = ~decided & (win == win[:, :1]).all(axis=1)
        answer = np.where(hit, win[:, 0], answer)
        reads = np.where(hit, start + win.shape[1], reads)
        decided |= hit
    cost = np.cumsum(tok[:, :m], axis=1)[np.arange(n_seeds), reads - 1]
    return answer, cost
