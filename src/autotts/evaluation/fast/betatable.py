"""Beta confidences for every vote pair, as one table read by the kernels.

Every entry is :func:`~autotts.controllers.voting.beta_confidence`, i.e.
scipy's float. Importing scipy costs about 0.3 s, more than a one-setting
evaluation itself, so the table is also kept on disk (``.npy``, exact
float64 bits) in the user cache, keyed by its size and by the installed
scipy's ``version.py`` (version and git revision): a later process reads the
file instead of importing scipy. A missing, unreadable or malformed file is
recomputed; an unwritable cache is skipped.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from autotts.controllers.voting import beta_confidence
from autotts.fileio import write_atomic

CACHE_ENV = "AUTOTTS_CACHE"


@lru_cache(maxsize=8)
def confidence_table(n: int) -> np.ndarray:
    """float64 [n+1, n+1]: ``table[v1, v2] == beta_confidence(v1, v2)`` bit for bit.

    Only pairs with v2 <= v1 occur (v1 is the larger count); the rest stay 0.
    Read from the disk cache when present, else computed and cached there.
    """
    path = cache_path(n)
    table = _read(path, n) if path is not None else None
    if table is None:
        table = compute_table(n)
        if path is not None:
            _write(path, table)
    return table


def compute_table(n: int) -> np.ndarray:
    """The table computed afresh from :func:`beta_confidence` (imports scipy)."""
    table = np.zeros((n + 1, n + 1), dtype=np.float64)
    for v1 in range(n + 1):
        for v2 in range(v1 + 1):
            table[v1, v2] = beta_confidence(v1, v2)
    return table


def cache_dir() -> Path:
    """``$AUTOTTS_CACHE`` if set, else the user cache directory; ``/beta`` under it."""
    root = os.environ.get(CACHE_ENV, "").strip()
    if not root:
        from platformdirs import user_cache_dir

        root = user_cache_dir("autotts")
    return Path(root) / "beta"


def cache_path(n: int) -> Path | None:
    """Where the table for ``n`` is cached; None when scipy's version cannot be read."""
    spec = importlib.util.find_spec("scipy")  # locates scipy without importing it
    if spec is None or not spec.origin:
        return None
    try:
        stamp = (Path(spec.origin).parent / "version.py").read_bytes()
    except OSError:
        return None
    key = hashlib.sha256(stamp).hexdigest()[:16]
    return cache_dir() / f"confidence-{n}-scipy-{key}.npy"


def _read(path: Path, n: int) -> np.ndarray | None:
    try:
        table = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if table.shape != (n + 1, n + 1) or table.dtype != np.float64:
        return None
    return table


def _write(path: Path, table: np.ndarray) -> None:
    buf = io.BytesIO()
    np.save(buf, table, allow_pickle=False)
    try:
        write_atomic(path, buf.getvalue())
    except OSError:
        pass  # a read-only or full cache only costs the next process the scipy import
