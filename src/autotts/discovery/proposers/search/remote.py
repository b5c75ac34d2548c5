"""The built-in search's trusted work as tasks for another executor (Ray).

Only our own code runs here: the compiled design kernel on a genome (data,
not code) and the search's rendering of a genome; untrusted candidate files
never leave the sandbox. Tasks are pure functions of their
arguments, so a task retried on another node after its node died returns
what the first try would have.

Screening tasks (many per batch) name their store by name and path, and each
worker process loads it once: the path must be readable on every node (one
machine, or a shared filesystem). A grid's task (one per store) carries its
store.
"""

from __future__ import annotations

from functools import lru_cache

from autotts.discovery.proposers.search import compiled
from autotts.env.store import ReplayStore, load_store


@lru_cache(maxsize=32)
def worker_store(name: str, path: str) -> ReplayStore:
    """The store at ``path``, loaded once per worker process."""
    return load_store(path, name=name)


def design_points(task: tuple) -> list[dict]:
    """:func:`~.compiled.screen_points` of ``(genome, name, path, betas, seeds)``."""
    genome, name, path, betas, seeds = task
    return compiled.screen_points(genome, worker_store(name, path), betas, seeds)


def design_run(task: tuple):
    """:func:`~.compiled.run_design` of ``(genome, store, betas, seeds, ceiling)``: the
    store travels with the task (about 1 MB pickled, one task per store of a grid)."""
    genome, store, betas, seeds, ceiling = task
    return compiled.run_design(genome, store, betas, seeds, ceiling=ceiling)
