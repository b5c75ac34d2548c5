"""The judge's interference check: a score may depend only on what the
candidate's actions revealed ("twin episodes, each run alone").

The log replay (:mod:`autotts.discovery.sandbox.judge.cost_books`) sees actions, not what a
candidate read to choose them: code that peeks at every branch's final
answer through run-time tricks and then reveals the majority cheaply leaves
a legal log. So after the main run the parent draws, with an unpredictable
RNG, ``sample_size(total)`` of its episodes and runs two more sandboxed jobs
(:mod:`autotts.discovery.sandbox.episode_worker`, each episode in its own forked
process):

- "alone": the real gold-free questions of the sampled episodes. Each must
  give the main run's answer and log; a difference means the candidate is
  non-deterministic or carries state from one episode to another.
- "twin": only twin questions (:mod:`autotts.discovery.sandbox.judge.twins`): what the
  main run revealed, byte for byte, the rest from other questions. Each
  must give the "alone" answer and log; a difference means the candidate
  read data its actions did not reveal. The twins are dealt to several jobs
  (:mod:`autotts.discovery.sandbox.judge.twin_jobs`) so that no twin job ever holds
  unrevealed data of a question it plays.

Bound: a candidate whose answer or log differs in at least ``RATE`` of the
episodes (alone or on the twin) is caught with probability at least
``1 - (1 - RATE) ** n`` >= ``CONFIDENCE`` (n = 688 for the defaults).
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from autotts.discovery.sandbox.episode_worker import EPISODE_TIMEOUT_S
from autotts.discovery.sandbox.jobs import JOB_PREFIX, job_record
from autotts.discovery.sandbox.judge.cost_books import decode_ints
from autotts.discovery.sandbox.judge.twin_jobs import alone_jobs, twin_jobs
from autotts.discovery.sandbox.memory_cap import MemoryBudget
from autotts.discovery.sandbox.process import JobOutcome, run_job
from autotts.evaluation.fast.betatable import confidence_table

RATE = 0.01          # the smallest share of interfering episodes the check must catch ...
CONFIDENCE = 0.999   # ... with at least this probability


def sample_size(total: int, rate: float = RATE, confidence: float = CONFIDENCE) -> int:
    """Episodes to draw so that a share ``rate`` of bad ones is hit at least once
    with probability ``confidence``: the least n with (1 - rate)^n <= 1 - confidence
    (688 for the defaults), capped at ``total``."""
    n = math.ceil(math.log(1 - confidence) / math.log(1 - rate))
    return min(total, n)


@dataclass(frozen=True)
class Played:
    """One episode of the main run: where it is and what it did."""

    cell: int          # index into the evaluated cells
    store: int         # index into the stores
    seed: int
    question: int
    answer: str | None
    depths: tuple[int, ...]


@dataclass
class CheckResult:
    """The check's verdict: ``error`` is None when every sampled episode agreed."""

    error: str | None
    sampled: int
    jobs: list[dict] = field(default_factory=list)
    wall_s: float = 0.0
    machinery: bool = False


def played_episodes(cells: list[tuple[int, dict, dict]], stores, seeds: list[int]) -> list[list]:
    """Per cell (store index, params, raw worker result): a lazy view of its
    episodes, seed-major, as (answers, opened, offsets, depths) arrays."""
    out = []
    for si, _params, raw in cells:
        nq = len(stores[si].questions)
        opened = decode_ints(raw["opened"], nq * len(seeds), "opened")
        depths = decode_ints(raw["depths"], int(opened.sum()), "depths")
        starts = (opened.cumsum() - opened).tolist()
        out.append([raw["answers"], opened.tolist(), starts, depths.tolist()])
    return out


def draw(cells, stores, seeds: list[int], rng: random.Random) -> list[Played]:
    """A uniform sample (without replacement) of the main run's episodes."""
    views = played_episodes(cells, stores, seeds)
    sizes = [len(stores[si].questions) * len(seeds) for si, _, _ in cells]
    total = sum(sizes)
    picks = sorted(rng.sample(range(total), sample_size(total)))
    out, base, c = [], 0, 0
    for e in picks:
        while e >= base + sizes[c]:
            base, c = base + sizes[c], c + 1
        k = e - base
        nq = len(stores[cells[c][0]].questions)
        answers, opened, starts, depths = views[c]
        out.append(Played(c, cells[c][0], seeds[k // nq], k % nq, answers[k],
                          tuple(depths[starts[k]:starts[k] + opened[k]])))
    return out


def first_difference(want: dict, got: dict) -> str | None:
    """How ``got`` differs from ``want`` (answer, branches opened, first depth,
    or an error), or None when they agree."""
    if "error" in got or "error" in want:
        if got.get("error") == want.get("error"):
            return None
        return f"it failed ({got['error']})" if "error" in got else "it did not fail"
    if got.get("answer") != want["answer"]:
        return f"answer {got.get('answer')!r} instead of {want['answer']!r}"
    w, g = list(want["depths"]), got.get("depths")
    if not isinstance(g, list) or len(g) != len(w):
        n = len(g) if isinstance(g, list) else "?"
        return f"opened {n} branches instead of {len(w)}"
    for p, (a, b) in enumerate(zip(w, g)):
        if a != b:
            return f"branch {p} (in opening order) reached depth {b} instead of {a}"
    return None


def _write_job(root: Path, name: str, source: str, class_name, records, cells,
               episodes, sandbox, alone: bool) -> Path:
    """A job of the check: its questions as compact records (sandbox/compact.py);
    an alone job forks per episode, a twin job plays in one process."""
    workdir = root / name
    workdir.mkdir(parents=True)
    (workdir / "candidate.py").write_text(source)
    (workdir / "store.json").write_text(json.dumps(records))
    job = {"kind": "episodes", "candidate": "candidate.py", "class_name": class_name,
           "store": "store.json",
           "cells": cells, "episodes": episodes,
           "max_branches": sandbox.max_branches, "episode_timeout_s": EPISODE_TIMEOUT_S,
           "fork": alone, "output_bytes": sandbox.limits.output_bytes,
           # scipy's Beta confidences: the worker need not import scipy (episode_worker.py)
           "beta_table": confidence_table(sandbox.max_branches).tolist()}
    (workdir / "job.json").write_text(json.dumps(job))
    return workdir


def _where(e: Played, cells, stores) -> str:
    return (f"episode (store {stores[e.store].name}, params {cells[e.cell][1]}, "
            f"seed {e.seed}, question {e.question})")


def _records(outcome: JobOutcome, n: int, what: str) -> tuple[list | None, str | None]:
    error = outcome.error or (outcome.result or {}).get("error")
    if error is not None:
        return None, f"the interference check's {what!r} job failed: {error}"
    eps = (outcome.result or {}).get("episodes")
    if not isinstance(eps, list) or len(eps) != n or not all(isinstance(r, dict) for r in eps):
        return None, f"the interference check's {what!r} job returned a malformed result"
    return eps, None


def _verdict(sample: list[Played], alone: list[dict], twin: list[dict], cells,
             stores) -> str | None:
    """The refusal for the first sampled episode that disagrees, or None."""
    for e, a in zip(sample, alone):
        main = {"answer": e.answer, "depths": list(e.depths)}
        diff = first_difference(main, a)
        if diff is not None:
            return (f"interference check: the candidate is not reproducible episode by episode "
                    f"(non-deterministic, or it keeps state between episodes): "
                    f"{_where(e, cells, stores)} run alone: {diff}")
    for e, a, t in zip(sample, alone, twin):
        diff = first_difference(a, t)
        if diff is not None:
            return (f"interference check: the candidate reads data its actions did not "
                    f"reveal: {_where(e, cells, stores)} on its twin (same revealed data, "
                    f"the rest from other questions): {diff}")
    return None


def check_candidate(source: str, class_name: str | None, stores, cells, seeds: list[int],
                    sandbox, rng: random.Random | None = None) -> CheckResult:
    """Run the "alone" and "twin" jobs on a sample of the main run's episodes.

    ``cells`` lists, per evaluated cell, (store index, params, raw worker
    result) of the main run (already accepted by the judge's log replay).
    Returns a :class:`CheckResult`; its ``error`` refuses the candidate.
    """
    rng = rng or random.SystemRandom()
    sample = draw(cells, stores, seeds, rng)
    # played in random order: state a candidate keeps where fork does not reset it
    # (files in the job's /tmp) then differs from the main run's seed-major history
    rng.shuffle(sample)
    if not sample:
        return CheckResult(None, 0)
    parts = max(1, min(sandbox.workers, len(sample) // 100))  # alone jobs to share the cores
    alone = alone_jobs(sample, stores, parts)
    jobs = [(f"alone{j}", *job) for j, job in enumerate(alone)]
    jobs += [(f"twin{j}", *job) for j, job in enumerate(twin_jobs(sample, stores, rng))]
    outs, wall = _run_all(jobs, source, class_name, [dict(p) for _, p, _ in cells], sandbox)
    records: list[list[dict]] = [[{}] * len(sample), [{}] * len(sample)]  # alone, twin
    for (name, _, eps, where), o in zip(jobs, outs):
        recs, error = _records(o, len(eps), name)
        if error is not None:
            return CheckResult(error, len(sample), _job_list(jobs, outs), wall,
                               machinery=o.machinery)
        for k, r in zip(where, recs):
            records[name.startswith("twin")][k] = r
    return CheckResult(_verdict(sample, records[0], records[1], cells, stores), len(sample),
                       _job_list(jobs, outs), wall)


def _run_all(jobs, source, class_name, params, sandbox) -> tuple[list[JobOutcome], float]:
    """Run every (name, records, episodes, _) job, the biggest first; returns
    their outcomes in ``jobs``' order and the elapsed seconds."""
    root = Path(tempfile.mkdtemp(prefix=f"{JOB_PREFIX}{os.getpid()}-check-"))
    try:
        # twin jobs play in one process: memory across their episodes carries only
        # twin data, none of it unrevealed data of a question the job plays
        # (twin_jobs.py), so fork would buy them nothing; the alone jobs fork
        dirs = [_write_job(root, name, source, class_name, recs, params, eps, sandbox,
                           alone=name.startswith("alone")) for name, recs, eps, _ in jobs]
        budget = MemoryBudget(sandbox.total_memory_mb) if sandbox.total_memory_mb else None
        order = sorted(range(len(jobs)), key=lambda j: -len(jobs[j][2]))
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=min(len(dirs), max(2, sandbox.workers))) as pool:
            done = list(pool.map(lambda j: run_job(dirs[j], sandbox.limits, sandbox.isolation,
                                                   budget, sandbox.hide), order))
        wall = time.monotonic() - start  # more jobs than workers: they ran in turns
    finally:
        shutil.rmtree(root, ignore_errors=True)
    outs: list = [None] * len(jobs)
    for j, o in zip(order, done):
        outs[j] = o
    return outs, wall


def _job_list(jobs, outs) -> list[dict]:
    return [{**job_record(k, o), "check": name} for k, ((name, *_), o) in
            enumerate(zip(jobs, outs))]
