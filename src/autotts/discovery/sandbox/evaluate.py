"""Evaluate a candidate over (store x setting) cells in sandboxed children and
grade the answers here, in the parent, against the gold the children never see.

Cells are dealt round-robin to ``workers`` jobs (so cheap and expensive
settings are spread evenly); each job is one sandboxed process that loads
only gold-free copies of its stores.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from autotts.discovery.sandbox.jobs import (
    JOB_PREFIX,
    gold_free_record,
    job_record,
    sweep_stale_jobs,
)
from autotts.discovery.sandbox.judge.cost_books import DEFAULT_MAX_BRANCHES, IllegalLog, keep_books
from autotts.discovery.sandbox.judge.interference import check_candidate
from autotts.discovery.sandbox.memory_cap import MemoryBudget
from autotts.discovery.sandbox.process import Isolation, JobOutcome, Limits, run_job
from autotts.env.store import ReplayStore


@dataclass
class CellResult:
    """One (store, setting) point, graded by the parent."""

    store: str
    params: dict
    accuracy: float              # percent, mean over seeds
    tokens: float                # mean tokens per question, mean over seeds
    opened: float                # mean branches opened per question
    seed_accuracy: list[float]
    seed_tokens: list[float]
    question_correct_rate: list[float]
    # Mean tokens of each question over seeds (the verdict's problem bootstrap resamples
    # tokens with accuracy); None in results written before it was recorded.
    question_tokens: list[float] | None = None


@dataclass
class CandidateEval:
    """All cells of one candidate, or the error that stopped it."""

    cells: list[CellResult] | None
    error: str | None
    traces: list[dict] = field(default_factory=list)
    jobs: list[dict] = field(default_factory=list)
    wall_s: float = 0.0
    machinery: bool = False    # the sandbox failed, not the candidate


    def to_dict(self) -> dict:
        return {"error": self.error, "wall_s": self.wall_s, "jobs": self.jobs,
                "machinery": self.machinery,
                "cells": [asdict(c) for c in self.cells] if self.cells is not None else None}


def gold_free_records(store: ReplayStore) -> list[dict]:
    """The store in the published format with gold answers and texts removed."""
    return [gold_free_record(q) for q in store.questions]


def _gold_free_text(store: ReplayStore, cache: dict[int, str]) -> str:
    key = id(store)
    if key not in cache:
        cache[key] = json.dumps(gold_free_records(store))
    return cache[key]


@dataclass(frozen=True)
class SandboxSettings:
    """How to run jobs: limits, isolation, parallel jobs, traces, branch ceiling.

    ``hide`` is kept for the record: with bubblewrap nothing outside the job is
    mounted at all, so there is nothing to hide (and the compiled-store cache is
    masked even inside a mounted folder: ``boundary.secret_dirs``)."""

    limits: Limits
    isolation: Isolation
    hide: tuple[Path, ...] = ()
    workers: int = 1
    trace_questions: int = 5
    max_branches: int = DEFAULT_MAX_BRANCHES   # the branch ceiling the judge enforces
    total_memory_mb: int = 0     # resident memory of all jobs together; 0 = no total cap
    interference_check: bool = True  # the twin/alone re-runs (interference.py); off is UNSAFE


def _prepare_job(root: Path, j: int, source: str, class_name: str | None, stores, cells,
                 seeds, trace_cells, settings: SandboxSettings, cache) -> tuple[Path, list[int]]:
    workdir = root / f"job{j}"
    (workdir / "stores").mkdir(parents=True)
    (workdir / "candidate.py").write_text(source)
    used = sorted({si for si, _ in cells})
    local = {si: k for k, si in enumerate(used)}
    for si in used:
        (workdir / "stores" / f"{local[si]}.json").write_text(_gold_free_text(stores[si], cache))
    job = {"candidate": "candidate.py", "class_name": class_name, "seeds": list(seeds),
           "stores": [{"name": stores[si].name, "file": f"stores/{local[si]}.json"} for si in used],
           "cells": [{"store": local[si], "params": p} for si, p in cells],
           "trace": {"cells": [k for k, c in enumerate(cells) if c in trace_cells],
                     "seed": seeds[0], "questions": settings.trace_questions},
           "output_bytes": settings.limits.output_bytes, "max_branches": settings.max_branches}
    (workdir / "job.json").write_text(json.dumps(job))
    return workdir, used


def evaluate_candidate(source: str, class_name: str | None, stores: list[ReplayStore],
                       settings_grid: list[dict], seeds: list[int], sandbox: SandboxSettings,
                       trace_settings: list[dict] = ()) -> CandidateEval:
    """Run the candidate on every (store, setting) in sandboxed jobs; grade here."""
    all_cells = [(idx, si, dict(p)) for idx, (si, p) in
                 enumerate((si, p) for si in range(len(stores)) for p in settings_grid)]
    n_jobs = max(1, min(len(all_cells), sandbox.workers))
    chunks = [all_cells[j::n_jobs] for j in range(n_jobs)]
    tracing = [(si, dict(p)) for si in range(len(stores)) for p in trace_settings]
    chunks_local = [[(si, p) for _, si, p in chunk] for chunk in chunks]
    sweep_stale_jobs()
    root = Path(tempfile.mkdtemp(prefix=f"{JOB_PREFIX}{os.getpid()}-"))
    try:
        cache: dict[int, str] = {}
        prepared = [_prepare_job(root, j, source, class_name, stores, chunk, seeds, tracing,
                                 sandbox, cache) for j, chunk in enumerate(chunks_local)]
        budget = MemoryBudget(sandbox.total_memory_mb) if sandbox.total_memory_mb else None
        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            outcomes = list(pool.map(lambda wp: run_job(wp[0], sandbox.limits, sandbox.isolation,
                                                        budget), prepared))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    raws: dict[int, tuple[int, dict, dict]] = {}
    result = _collect(outcomes, chunks, stores, seeds, sandbox.max_branches, raws)
    if result.error is None and sandbox.interference_check:
        result = with_check(result, check_candidate(source, class_name, stores,
                                                    [raws[i] for i in sorted(raws)], seeds,
                                                    sandbox))
    return result


def with_check(result: CandidateEval, check) -> CandidateEval:
    """The main run's accepted result with the interference check's jobs and time
    added, or a failed one carrying the check's refusal."""
    jobs, wall = result.jobs + check.jobs, result.wall_s + check.wall_s
    if check.error is not None:
        return CandidateEval(None, check.error, [], jobs, wall, machinery=check.machinery)
    return CandidateEval(result.cells, None, result.traces, jobs, wall)


def _collect(outcomes: list[JobOutcome], chunks, stores, seeds,
             max_branches: int, raws: dict | None = None) -> CandidateEval:
    """Grade every job's cells; the first failing job's error fails the candidate.
    ``raws``, when given, receives each cell's (store, params, raw result) by index."""
    jobs = [job_record(k, o) for k, o in enumerate(outcomes)]
    wall = max((o.wall_s for o in outcomes), default=0.0)
    graded: dict[int, CellResult] = {}
    traces: list[dict] = []
    for o, chunk in zip(outcomes, chunks):
        error = o.error or (o.result or {}).get("error")
        if error is None:
            try:
                for (idx, si, params), raw in zip(chunk, _cells_of(o.result, len(chunk))):
                    graded[idx] = grade(stores[si], params, raw, seeds, max_branches)
                    if raws is not None:
                        raws[idx] = (si, params, raw)
                    for row in raw.get("traces", []) or []:
                        traces.append({"store": stores[si].name, "params": params, **row})
            except IllegalLog as exc:
                error = f"illegal episode log (the judge refused it): {exc}"
            except (ValueError, TypeError, AttributeError) as exc:
                error = f"malformed worker result: {exc}"
        if error is not None:
            tb = (o.result or {}).get("traceback", "")
            return CandidateEval(None, f"{error}\n{tb}".strip(), [], jobs, wall,
                                 machinery=o.machinery)
    return CandidateEval([graded[i] for i in sorted(graded)], None, traces, jobs, wall)


def _cells_of(result: dict | None, n: int) -> list[dict]:
    cells = (result or {}).get("cells")
    if not isinstance(cells, list) or len(cells) != n:
        raise ValueError(f"expected {n} cells")
    return cells


def grade(store: ReplayStore, params: dict, raw: dict, seeds: list[int],
          max_branches: int = DEFAULT_MAX_BRANCHES) -> CellResult:
    """Compare a cell's answers with the gold answers and charge its episode log
    (:func:`keep_books`); raises ValueError on bad shapes, IllegalLog on
    impossible play. The child's own claims about cost are never read."""
    nq, ns = len(store.questions), len(seeds)
    answers = raw.get("answers")
    if not isinstance(answers, list) or len(answers) != nq * ns:
        raise ValueError(f"answers: expected {nq * ns} entries")
    if any(a is not None and not isinstance(a, str) for a in answers):
        raise ValueError("answers must be strings or null")
    books = keep_books(store, seeds, answers, raw.get("opened"), raw.get("depths"), max_branches)
    gold = [q.gold for q in store.questions]
    correct = np.array([a is not None and a == gold[i % nq] for i, a in enumerate(answers)],
                       dtype=bool).reshape(ns, nq)
    return cell_result(store, params, correct, books.cost, books.opened)


def cell_result(store: ReplayStore, params: dict, correct: np.ndarray, cost: np.ndarray,
                opened: np.ndarray) -> CellResult:
    """A cell's figures from its (seeds, questions) arrays: right or wrong, tokens
    charged (float) and branches opened."""
    seed_acc = (100 * correct.mean(axis=1)).tolist()
    seed_tok = cost.mean(axis=1).tolist()
    return CellResult(store=store.name, params=dict(params), accuracy=float(np.mean(seed_acc)),
                      tokens=float(np.mean(seed_tok)), opened=float(np.mean(opened)),
                      seed_accuracy=seed_acc, seed_tokens=seed_tok,
                      question_correct_rate=correct.mean(axis=0).tolist(),
                      question_tokens=cost.mean(axis=0).tolist())
