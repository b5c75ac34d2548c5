"""Shared voting and confidence logic (REPLAY_PROTOCOL.md §4).

Majority vote: most frequent answer, ties to the answer seen first, exactly
like ``collections.Counter(answers).most_common``. ``'ERR'`` is an ordinary
label here, as in the reference; cleaner variants live in their own names.

Beta confidence: ``conf(v1, v2) = 1 - BetaCDF(0.5; v1 + 1, v2 + 1)``, the
posterior probability that the leading answer beats the runner-up. Values are
computed by scipy once per (v1, v2) and cached, so every caller gets the same
float the reference gets. The reference calls ``scipy.stats.beta.cdf``, whose
``_cdf`` is ``scipy.special.betainc(a, b, x)``; calling ``betainc`` directly
gives the same float (tests/controllers/test_voting.py checks it against
``scipy.stats`` over thousands of pairs) and imports in a fraction of the time.
scipy is imported on the first call, so listing or building controllers does
not pay for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache


def majority(answers: Iterable[str]) -> str | None:
    """Most frequent answer, ties to the first seen; None for no answers."""
    counts: dict[str, int] = {}
    for a in answers:
        counts[a] = counts.get(a, 0) + 1
    best, best_n = None, 0
    for a, n in counts.items():  # insertion order = first-seen order
        if n > best_n:
            best, best_n = a, n
    return best


def vote_stats(answers: Iterable[str]) -> tuple[str | None, int, int]:
    """(winner, v1, v2): winner and the two largest vote counts (0 when absent)."""
    counts: dict[str, int] = {}
    for a in answers:
        counts[a] = counts.get(a, 0) + 1
    return stats_from_counts(counts)


def stats_from_counts(counts: dict[str, int]) -> tuple[str | None, int, int]:
    """(winner, v1, v2) from an insertion-ordered count dict."""
    best, v1, v2 = None, 0, 0
    for a, n in counts.items():
        if n > v1:
            best, v2, v1 = a, v1, n
        elif n > v2:
            v2 = n
    return best, v1, v2


# Values handed in by a process that already has them (the sandbox parent, so a
# judge's job need not import scipy): (v1, v2) -> the float scipy gives.
_KNOWN: dict[tuple[int, int], float] = {}


def preset_confidences(table) -> None:
    """Take ``table[v1][v2]`` (for 0 < v2 <= v1, as ``betatable.confidence_table``
    holds them: scipy's floats) as known values of :func:`beta_confidence`."""
    for v1, row in enumerate(table):
        for v2 in range(min(v1, len(row) - 1) + 1):
            if v1 > 0:
                _KNOWN[(v1, v2)] = float(row[v2])


@lru_cache(maxsize=None)
def beta_confidence(v1: int, v2: int) -> float:
    """``1 - BetaCDF(0.5; v1+1, v2+1)``; 0.0 when there is no vote (v1 <= 0)."""
    if v1 <= 0:
        return 0.0
    known = _KNOWN.get((v1, v2))
    if known is not None:
        return known
    from scipy.special import betainc  # here, not at import: scipy costs ~0.3 s

    return float(1 - betainc(v1 + 1, v2 + 1, 0.5))
