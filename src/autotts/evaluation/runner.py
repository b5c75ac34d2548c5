"""Run many (store, controller setting) cells, in parallel across processes.

Each cell is evaluated by :func:`autotts.evaluation.protocol.evaluate` in one
process, so results do not depend on the number of workers. Stores are loaded
once per worker process.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import lru_cache

from autotts.controllers.spec import ControllerSpec
from autotts.env.store import ReplayStore, load_store
from autotts.evaluation.protocol import DEFAULT_SEEDS, EvalResult, evaluate


@dataclass(frozen=True)
class Cell:
    """One evaluation: a store (by name and path) and a controller setting."""

    env: str
    path: str
    spec: ControllerSpec


@lru_cache(maxsize=64)
def cached_store(path: str, name: str) -> ReplayStore:
    """Load a store once per process."""
    return load_store(path, name=name)


def run_cell(cell: Cell, seeds: int | Sequence[int] = DEFAULT_SEEDS, *, traces: bool = False,
             kappa_probe: float = 0) -> EvalResult:
    """Evaluate one cell in this process."""
    store = cached_store(cell.path, cell.env)
    controller = cell.spec.build()
    return evaluate(store, controller, seeds=seeds, traces=traces, kappa_probe=kappa_probe,
                    controller_id=cell.spec.label)


def run_cells(cells: Sequence[Cell], *, seeds: int | Sequence[int] = DEFAULT_SEEDS,
              workers: int = 1, traces: bool = False, kappa_probe: float = 0,
              progress: bool = False, description: str = "evaluating") -> list[EvalResult]:
    """Evaluate every cell; results come back in the order of ``cells``."""
    results: list[EvalResult | None] = [None] * len(cells)
    with _progress(progress, description, len(cells)) as advance:
        if workers <= 1 or len(cells) <= 1:
            for k, cell in enumerate(cells):
                results[k] = run_cell(cell, seeds, traces=traces, kappa_probe=kappa_probe)
                advance()
        else:
            with ProcessPoolExecutor(max_workers=min(workers, len(cells))) as pool:
                futures = {pool.submit(run_cell, cell, seeds, traces=traces,
                                       kappa_probe=kappa_probe): k
                           for k, cell in enumerate(cells)}
                for fut in as_completed(futures):
                    results[futures[fut]] = fut.result()
                    advance()
    return results  # type: ignore[return-value]


class _progress:
    """Context manager yielding an ``advance()`` callable; a rich bar when enabled."""

    def __init__(self, enabled: bool, description: str, total: int):
        self.enabled, self.description, self.total = enabled, description, total
        self._bar = None

    def __enter__(self):
        if not self.enabled:
            return lambda: None
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TimeElapsedColumn(), TimeRemainingColumn(), transient=True)
        self._bar.__enter__()
        task = self._bar.add_task(self.description, total=self.total)
        return lambda: self._bar.advance(task)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False
