"""A candidate that is exactly a design the built-in search generated is our
own code: the judge evaluates it here, in the parent, on the trusted compiled
design kernel, with no sandboxed child.

"Exactly" means byte-identical to the rendering of the genome it describes
(:func:`~autotts.discovery.proposers.search.recognize.generated_genome`); an
edited file, or anything else, goes through the sandbox as before. The kernel
gives each episode's answer id, cost and branches opened; the judge's books
(:func:`~autotts.discovery.sandbox.judge.cost_books.keep_books`) re-derive
exactly these from a worker's log, so the kernel's own are graded
(:func:`~autotts.discovery.sandbox.evaluate.cell_result`, as ``grade`` does)
without building a log to re-read: the kernel is our code, not the child's
claim. Every cell number is the sandboxed path's (tests/discovery/sandbox/
test_generated.py); the few traces come from the readable controller run in
the same order the jobs would have run them.
Given an executor (Ray), each store's kernel run is one of its tasks
(:mod:`~autotts.discovery.proposers.search.remote`); the runs come back in
store order, so the cells are the same.
"""

from __future__ import annotations

import sys
import time
import types
from concurrent.futures import ThreadPoolExecutor

from autotts.discovery.proposers.search import compiled, remote
from autotts.discovery.proposers.search.recognize import generated_genome
from autotts.discovery.sandbox.evaluate import CandidateEval, SandboxSettings, cell_result
from autotts.env.store import ReplayStore
from autotts.evaluation.executors import Executor

# What the round records as its isolation: no child ran, the file's code never executed.
KERNEL_MODE = "kernel"
KERNEL_JOB = {"job": 0, "returncode": 0, "timed_out": False, "error": None,
              "isolation": {"mode": KERNEL_MODE,
                            "detail": "a generated design, byte-identical to its genome's "
                                      "rendering, evaluated on the trusted compiled kernel in "
                                      "the parent; no sandboxed child"}}


def _betas(grid: list[dict]) -> list[float] | None:
    """The grid's betas when every setting is just ``{"beta": x}`` (else None)."""
    if not grid or any(set(p) != {"beta"} for p in grid):
        return None
    return [float(p["beta"]) for p in grid]


def evaluate_generated(source: str, class_name: str | None, stores: list[ReplayStore],
                       settings_grid: list[dict], seeds: list[int], sandbox: SandboxSettings,
                       trace_settings: list[dict] = (),
                       executor: Executor | None = None) -> CandidateEval | None:
    """:func:`~autotts.discovery.sandbox.evaluate.evaluate_candidate` for a
    generated design; None when ``source`` is not one (or the kernel is off), so
    the caller runs the sandbox. ``executor``: where the kernel runs (None: here)."""
    if not compiled.available():
        return None
    found = generated_genome(source)
    betas = _betas(settings_grid)
    if found is None or betas is None or (class_name and class_name != found[1]):
        return None
    genome, cls_name = found
    t0 = time.perf_counter()
    cells, raws = [], []
    rows = _kernel_rows(genome, stores, betas, seeds, sandbox, executor)
    for store, store_rows in zip(stores, rows):
        for params, (answers, cost, opened) in zip(settings_grid, store_rows):
            cells.append(cell_result(store, params, compiled.correct_of(store, answers),
                                     cost.astype(float), opened))
            raws.append((store, dict(params)))
    traces = _traces(source, cls_name, raws, stores, settings_grid, seeds, sandbox,
                     trace_settings)
    job = dict(KERNEL_JOB)
    if executor is not None:  # say where the kernel ran (the cells are the same)
        detail = job["isolation"]["detail"].replace("in the parent",
                                                   f"in {type(executor).__name__} tasks")
        job["isolation"] = {**job["isolation"], "detail": detail}
    return CandidateEval(cells, None, traces, [job], time.perf_counter() - t0)


def _kernel_rows(genome, stores, betas, seeds, sandbox: SandboxSettings,
                 executor: Executor | None) -> list[list[tuple]]:
    """Per store (in store order), per beta (in grid order), the kernel's
    (answers, cost, opened), each shaped (seeds, questions)."""
    if executor is not None:
        runs = executor.map(remote.design_run, [(genome, s, betas, seeds, sandbox.max_branches)
                                                for s in stores])
        return [[(run.answers[b], run.cost[b], run.opened[b]) for b in range(len(betas))]
                for run in runs]
    # The kernel releases the GIL: as many threads as the sandbox's jobs. One task per
    # (store, beta), not per store: stores differ in cost (the first aime24 store takes
    # about twice the others), so a thread per store leaves one thread a long tail.
    # Episodes are independent, so a beta run alone gives the numbers it gives among
    # the others. Costly betas (large budgets) go first, so the tail is a cheap task.
    tasks = sorted(((si, b) for si in range(len(stores)) for b in range(len(betas))),
                   key=lambda t: (-betas[t[1]], t[0]))

    def one(task):
        si, b = task
        run = compiled.run_design(genome, stores[si], [betas[b]], seeds,
                                  ceiling=sandbox.max_branches)
        return run.answers[0], run.cost[0], run.opened[0]

    with ThreadPoolExecutor(max(1, min(len(tasks), sandbox.workers))) as pool:
        done = dict(zip(tasks, pool.map(one, tasks)))
    return [[done[si, b] for b in range(len(betas))] for si in range(len(stores))]


def _traces(source, cls_name, cells, stores, grid, seeds, sandbox, trace_settings) -> list[dict]:
    """The traces the sandbox's jobs would return, in their order (cells dealt
    round-robin to ``workers`` jobs, each job's traced cells in turn)."""
    tracing = [(s.name, dict(p)) for s in stores for p in trace_settings]
    if not tracing:  # no trace asked for: neither the readable class nor the worker's tracer
        return []
    from autotts.discovery.sandbox.worker import _traces as job_traces

    n_jobs = max(1, min(len(cells), sandbox.workers))
    cls = _controller_class(source, cls_name)
    out = []
    for j in range(n_jobs):
        for store, params in cells[j::n_jobs]:
            if (store.name, params) in tracing:
                for row in job_traces(store, cls(**params), seeds[0], sandbox.trace_questions,
                                      2000):
                    out.append({"store": store.name, "params": params, **row})
    return out


def _controller_class(source: str, cls_name: str):
    """The generated class (trusted: the file is byte-identical to our own rendering)."""
    name = f"autotts_generated_{abs(hash(source)):x}"
    module = sys.modules.get(name)
    if module is None:
        module = sys.modules[name] = types.ModuleType(name)
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)  # noqa: S102 - our codegen
    return getattr(module, cls_name)
