"""Beta confidences for every vote pair, as one table read by the kernels."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from autotts.controllers.voting import beta_confidence


@lru_cache(maxsize=8)
def confidence_table(n: int) -> np.ndarray:
    """float64 [n+1, n+1]: ``table[v1, v2] == beta_confidence(v1, v2)`` bit for bit.

    Only pairs with v2 <= v1 occur (v1 is the larger count); the rest stay 0.
    Every entry comes from :func:`beta_confidence` itself, so it is scipy's float.
    """
    table = np.zeros((n + 1, n + 1), dtype=np.float64)
    for v1 in range(n + 1):
        for v2 in range(v1 + 1):
            table[v1, v2] = beta_confidence(v1, v2)
    return table
