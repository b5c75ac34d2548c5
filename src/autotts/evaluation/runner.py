"""Run many (store, controller setting) cells, in parallel and deterministically.

Each cell's seeds may be split into chunks; every chunk is one task for an
executor (serial, a process pool or Ray, see :mod:`autotts.evaluation.executors`).
A chunk of a built-in controller runs its exact fast path
(:mod:`autotts.evaluation.fast`) unless traces or a probe cost are asked for;
anything else runs the protocol's episode loop. Chunks are merged in seed
order and reduced with the protocol's formulas, so results are identical for
any worker count and executor. Stores are loaded once per worker process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from autotts.controllers.spec import ControllerSpec
from autotts.env.store import ReplayStore, load_store
from autotts.evaluation.executors import Executor, make_executor
from autotts.evaluation.fast import fast_block
from autotts.evaluation.protocol import (
    DEFAULT_SEEDS,
    EvalResult,
    SeedBlock,
    merge_blocks,
    protocol_block,
    to_result,
)
from autotts.progress import progress_bar

TASKS_PER_WORKER = 3  # enough chunks to keep every worker busy until the end


@dataclass(frozen=True)
class Cell:
    """One evaluation: a store (by name and path) and a controller setting."""

    env: str
    path: str
    spec: ControllerSpec


@dataclass(frozen=True)
class Task:
    """One unit of work: some seeds of one cell."""

    cell: Cell
    seeds: tuple[int, ...]
    kappa_probe: float = 0
    traces: bool = False
    fast: bool = True


@lru_cache(maxsize=64)
def cached_store(path: str, name: str) -> ReplayStore:
    """Load a store once per process."""
    return load_store(path, name=name)


def run_task(task: Task) -> SeedBlock:
    """Evaluate one task in this process (the function executors run): the fast
    path's block when there is one, else the protocol loop's block."""
    cell = task.cell
    store = cached_store(cell.path, cell.env)
    controller = cell.spec.build()
    if task.fast:
        block = fast_block(store, controller, task.seeds, kappa_probe=task.kappa_probe,
                           traces=task.traces)
        if block is not None:
            return block
    return protocol_block(store, controller, task.seeds, kappa_probe=task.kappa_probe,
                          traces=task.traces)


def run_cell(cell: Cell, seeds: int | Sequence[int] = DEFAULT_SEEDS, *, traces: bool = False,
             kappa_probe: float = 0, fast: bool = True) -> EvalResult:
    """Evaluate one cell in this process."""
    return run_cells([cell], seeds=seeds, traces=traces, kappa_probe=kappa_probe, fast=fast)[0]


def run_cells(cells: Sequence[Cell], *, seeds: int | Sequence[int] = DEFAULT_SEEDS,
              workers: int = 1, traces: bool = False, kappa_probe: float = 0,
              progress: bool = False, description: str = "evaluating",
              executor: str | Executor = "process", fast: bool = True) -> list[EvalResult]:
    """Evaluate every cell; results come back in the order of ``cells``.

    ``executor`` is ``"serial"``, ``"process"`` (``workers`` processes) or
    ``"ray"``, or an :class:`~autotts.evaluation.executors.Executor`.
    ``fast=False`` forces the protocol's episode loop for every cell.
    """
    seed_list = tuple(range(seeds)) if isinstance(seeds, int) else tuple(seeds)
    if not seed_list:
        raise ValueError("no seeds to evaluate")
    runner = make_executor(executor, workers) if isinstance(executor, str) else executor
    n_workers = getattr(runner, "workers", workers)
    tasks, owner = plan_tasks(cells, seed_list, n_workers, traces=traces,
                              kappa_probe=kappa_probe, fast=fast)
    with progress_bar(progress, len(tasks), description) as advance:
        parts = runner.map(run_task, tasks, advance)
    return [_combine(cell, [p for p, k in zip(parts, owner) if k == ci])
            for ci, cell in enumerate(cells)]


def plan_tasks(cells: Sequence[Cell], seeds: tuple[int, ...], workers: int, *,
               traces: bool = False, kappa_probe: float = 0,
               fast: bool = True) -> tuple[list[Task], list[int]]:
    """Split the cells' seeds into tasks; returns (tasks, owning cell index of each).

    With one worker every cell is one task; with more, each cell gets enough
    contiguous seed chunks that there are about TASKS_PER_WORKER tasks per worker.
    """
    per_cell = 1
    if workers > 1 and cells:
        per_cell = min(len(seeds), -(-TASKS_PER_WORKER * workers // len(cells)))
    tasks: list[Task] = []
    owner: list[int] = []
    for ci, cell in enumerate(cells):
        for chunk in _chunks(seeds, per_cell):
            tasks.append(Task(cell, chunk, kappa_probe, traces, fast))
            owner.append(ci)
    return tasks, owner


def _chunks(seeds: tuple[int, ...], n: int) -> list[tuple[int, ...]]:
    """``n`` contiguous chunks of near-equal size, in seed order."""
    size, extra = divmod(len(seeds), n)
    out, start = [], 0
    for k in range(n):
        end = start + size + (k < extra)
        out.append(seeds[start:end])
        start = end
    return out


def _combine(cell: Cell, parts: list[SeedBlock]) -> EvalResult:
    """One cell's result; ``params`` is the controller's full parameter set."""
    params = cell.spec.build().params()
    return to_result(merge_blocks(parts), env=cell.env, controller=cell.spec.label,
                     params=params)
