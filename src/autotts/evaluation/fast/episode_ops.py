"""Episode moves shared by the kernels, on flat per-branch state arrays.

An episode's state is a handful of length-B arrays indexed by episode branch
id i (opening order): ``br[i]`` the store branch shown at position i, ``dep``
depth, ``fin`` finished flag, ``lat`` latest answer id. These helpers mirror
:class:`autotts.env.episode.Episode` at ``kappa_probe = 0``.
"""

from __future__ import annotations

from autotts.evaluation.fast.jit import helper


@helper
def open_branch(i, order_at, br, dep, fin, lat):
    """BRANCH bookkeeping for episode id i (the caller then takes its first step)."""
    br[i] = order_at
    dep[i] = 0
    fin[i] = 0
    lat[i] = -1


@helper
def step_branch(i, qb, dq, width_d, br, dep, fin, lat, probes, n_probes, tokens, finals):
    """CONTINUE branch i (question offset qb = q*B, interval dq); returns the tokens charged.

    Within the recorded probes a step costs Δ and reveals the next probe; the
    step past the last probe costs ``max(0, T - k*Δ)`` and reveals the final answer.
    """
    b = qb + br[i]
    d = dep[i]
    k = n_probes[b]
    dep[i] = d + 1
    if d < k:
        lat[i] = probes[b * width_d + d]
        return dq
    lat[i] = finals[b]
    fin[i] = 1
    rest = tokens[b] - k * dq
    return rest if rest > 0 else 0


@helper
def majority_of(ids, m, lat, counts):
    """Majority of ``lat[ids[0..m-1]]``, ties to the first seen; -1 when m == 0.

    ``counts`` is zeroed scratch (one slot per answer id) and is zeroed again on return.
    """
    for j in range(m):
        counts[lat[ids[j]]] += 1
    best, best_n = -1, 0
    for j in range(m):  # first answer (in order) reaching the top count wins
        n = counts[lat[ids[j]]]
        if n > best_n:
            best, best_n = lat[ids[j]], n
    for j in range(m):
        counts[lat[ids[j]]] = 0
    return best
