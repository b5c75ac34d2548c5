"""Screening: the search's own cheap evaluation of generated designs.

The built-in search composes its candidates from this package's building
blocks (:mod:`.parts`, :mod:`.moves`), so they are trusted code and are
screened here, in worker processes of this machine, without the sandbox the
loop keeps for untrusted candidates. Screening only ever sees the search
split (the loop hands over its search stores; held-out stores never reach
the proposer). Each worker loads the stores once; a design is evaluated cell
by cell ((store, beta) pairs dealt to the workers) on a few seeds. Given an
executor (Ray), the same jobs go to its workers instead (:mod:`.remote`) and
their results are put back in job order, so the curves are the same.
"""

from __future__ import annotations

import atexit
import hashlib
import sys
import types
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path

from autotts.discovery.proposers.base import StoreCurves
from autotts.discovery.proposers.search import compiled, remote
from autotts.discovery.proposers.search.codegen import CLASS_NAME, render
from autotts.discovery.proposers.search.space import Genome
from autotts.evaluation.executors import Executor

_STORES: dict = {}  # per worker process: store name -> ReplayStore


def _load(stores: dict[str, str]) -> None:
    from autotts.env.store import load_store
    for name, path in stores.items():
        _STORES[name] = load_store(path, name=name)


@lru_cache(maxsize=64)
def _controller_class(source: str):
    # a registered module, as dataclasses look their class's module up
    name = f"autotts_screened_{hashlib.sha256(source.encode()).hexdigest()[:16]}"
    module = sys.modules[name] = types.ModuleType(name)
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # noqa: S102 - our own codegen
    return getattr(module, CLASS_NAME)


def _cell(source: str, store: str, beta: float, seeds: tuple[int, ...]) -> dict:
    """One design at one beta: accuracy %, mean tokens and branches opened per
    question, and per question its correct rate and mean tokens over the seeds."""
    from autotts.evaluation.protocol import protocol_block
    controller = _controller_class(source)(beta=beta)
    opened = []

    def solve(ep):
        answer = controller.solve(ep)
        opened.append(ep.n_opened)
        return answer

    block = protocol_block(_STORES[store], controller, seeds, solve=solve)
    n = block.correct.shape[1]
    return {"accuracy": 100.0 * sum(block.n_correct) / (len(seeds) * n),
            "tokens": sum(block.total_cost) / (len(seeds) * n),
            "opened": sum(opened) / len(opened),
            "q_rate": block.correct.mean(axis=0).tolist(),
            "q_tokens": block.cost.astype(float).mean(axis=0).tolist()}


def _remote_cell(task: tuple) -> dict:
    """``_cell`` of ``(source, name, path, beta, seeds)`` on another executor's worker."""
    source, name, path, beta, seeds = task
    _STORES[name] = remote.worker_store(name, path)
    return _cell(source, name, beta, seeds)


def _design_points(genome: Genome, store: str, betas: tuple[float, ...],
                   seeds: tuple[int, ...]) -> list[dict]:
    """``_cell`` for every beta at once, on the compiled design kernel."""
    from autotts.discovery.proposers.search.compiled import screen_points
    return screen_points(genome, _STORES[store], betas, seeds)


class Screener:
    """Evaluates designs on ``stores`` (name -> path) over ``betas`` with a
    process pool that lives as long as the screener (started on first use), or
    on ``executor``'s workers when one is given (then no pool is started)."""

    def __init__(self, stores: dict[str, str], betas: Sequence[float], workers: int = 2,
                 executor: Executor | None = None):
        self.stores = dict(stores)
        self.betas = tuple(float(b) for b in betas)
        self.workers = max(1, int(workers))
        self.executor = executor
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, initializer=_load,
                                             initargs=(self.stores,))
            atexit.register(self.close)
        return self._pool

    def curves(self, genomes: Sequence[Genome], seeds: Sequence[int]) -> list[StoreCurves]:
        """The curve of every design, ``{store: [{beta, accuracy, tokens, opened,
        q_rate, q_tokens}, ...]}`` (``q_*``: per question, over the seeds)."""
        if compiled.available():
            return self._compiled_curves(genomes, tuple(seeds))
        sources = [render(g) for g in genomes]
        cells = [(src, store, beta) for src in sources for store in self.stores
                 for beta in self.betas]
        seeds = tuple(seeds)
        # expensive cells (high beta) first, so no worker is left with a long tail
        order = sorted(range(len(cells)), key=lambda j: -cells[j][2])
        if self.executor is not None:
            points = self._remote(_remote_cell, [(*cells[j], seeds) for j in order])
            results = dict(zip(order, points))
        else:
            futures = {j: self._executor().submit(_cell, *cells[j], seeds) for j in order}
            results = {j: futures[j].result() for j in range(len(cells))}
        out: list[StoreCurves] = []
        j = 0
        for _ in sources:
            curves: StoreCurves = {s: [] for s in self.stores}
            for store in self.stores:
                for beta in self.betas:
                    curves[store].append({"beta": beta, **results[j]})
                    j += 1
            out.append(curves)
        return out

    def _compiled_curves(self, genomes: Sequence[Genome],
                         seeds: tuple[int, ...]) -> list[StoreCurves]:
        """:meth:`curves` on the compiled design kernel: one job per (design, store)."""
        jobs = [(g, store, self.betas, seeds) for g in genomes for store in self.stores]
        if self.executor is not None:
            points = iter(self._remote(remote.design_points, jobs))
        else:
            futures = [self._executor().submit(_design_points, *job) for job in jobs]
            points = (f.result() for f in futures)
        return [{store: [{"beta": beta, **point} for beta, point in zip(self.betas, next(points))]
                 for store in self.stores} for _ in genomes]

    def _remote(self, fn, jobs: list[tuple]) -> list:
        """``fn`` of every job on the executor, in job order; each job's store
        name is followed by its path, so a worker anywhere can load it."""
        paths = {name: str(Path(path).resolve()) for name, path in self.stores.items()}
        return self.executor.map(fn, [(job[0], job[1], paths[job[1]], *job[2:]) for job in jobs])

    def close(self) -> None:
        """Stop the worker processes (idempotent)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
