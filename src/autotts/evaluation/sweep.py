"""Resumable sweeps: every (store, controller, parameter set) cell of a sweep
spec, evaluated with :func:`autotts.evaluation.runner.run_cells`, one result
row per cell.

Output directory::

    results.jsonl   journal: one row per finished cell, appended and fsynced as
                    each cell finishes (a killed sweep loses only cells in flight)
    results.csv     the same rows as a flat table (rewritten atomically)
    manifest.json   package version, git commit, seeds, store SHA-256s, sweep file
    traces/         one JSONL file of execution traces per cell (with traces=True)

A cell is identified by its key (store name, controller label and source,
parameters, seeds). Cells whose key is already in ``results.jsonl`` are
skipped, so rerunning the same command resumes a killed sweep.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from autotts.controllers.spec import ControllerSpec
from autotts.data.catalog import StoreRef, resolve_data_dir, resolve_envs
from autotts.evaluation.protocol import EvalResult
from autotts.evaluation.results_io import (
    Journal,
    build_manifest,
    write_csv,
    write_manifest,
)
from autotts.evaluation.runner import Cell, run_cells
from autotts.evaluation.stats import DEFAULT_RESAMPLES, accuracy_interval, seed_std
from autotts.evaluation.sweep_spec import SweepSpec
from autotts.fileio import write_atomic
from autotts.progress import progress_bar

CI_METHOD = (f"bootstrap over questions (seeds averaged per question), "
             f"{DEFAULT_RESAMPLES} resamples, 95% percentile")
RESULTS_JSONL, RESULTS_CSV, MANIFEST = "results.jsonl", "results.csv", "manifest.json"


@dataclass(frozen=True)
class SweepCell:
    """One unit of work: a store, a labelled controller setting and the seeds."""

    env: str
    path: str
    label: str
    source: str
    spec: ControllerSpec
    seeds: tuple[int, ...]

    @property
    def key(self) -> str:
        """The identity used to skip finished cells."""
        return cell_key(self.env, self.label, self.source, self.spec.params, self.seeds)


def cell_key(env: str, label: str, source: str, params: dict, seeds: Sequence[int]) -> str:
    """A canonical JSON string of what determines a cell's result."""
    seeds = list(seeds)
    seed_part = f"0..{len(seeds) - 1}" if seeds == list(range(len(seeds))) else seeds
    return json.dumps({"env": env, "controller": label, "source": source,
                       "params": params, "seeds": seed_part}, sort_keys=True)


@dataclass
class SweepOutcome:
    """What a sweep produced: the rows of its cells (plan order) and counts."""

    rows: list[dict]
    ran: int
    skipped: int
    out_dir: Path
    seconds: float


def plan_cells(spec: SweepSpec, refs: Sequence[StoreRef]) -> list[SweepCell]:
    """Every cell of ``spec`` on ``refs``: store-major, then controller, then grid point."""
    return [SweepCell(ref.name, str(ref.path), entry.label, entry.source, cspec, spec.seeds)
            for ref in refs for entry in spec.controllers for cspec in entry.specs]


def result_row(cell: SweepCell, result: EvalResult) -> dict:
    """The stored row for one evaluated cell (CSV columns plus per-seed and
    per-question lists); the interval is a bootstrap over questions."""
    ci = accuracy_interval(result.question_correct_rate)
    return {
        "env": cell.env, "controller": cell.label, "controller_source": cell.source,
        "params": cell.spec.params, "accuracy": result.accuracy, "tokens": result.tokens,
        "accuracy_std": seed_std(result.seed_accuracy), "tokens_std": seed_std(result.seed_tokens),
        "ci95_low": ci.lo, "ci95_high": ci.hi, "ci_method": CI_METHOD,
        "seeds": len(result.seeds), "key": cell.key, "seed_list": list(result.seeds),
        "seed_accuracy": result.seed_accuracy, "seed_tokens": result.seed_tokens,
        "question_correct_rate": result.question_correct_rate,
    }


def run_sweep(spec: SweepSpec, out_dir: str | Path, *, data: str | Path | None = None,
              refs: Sequence[StoreRef] | None = None, workers: int = 1, traces: bool = False,
              progress: bool = False, manifest_extra: dict | None = None,
              on_cell: Callable[[SweepCell, dict], None] | None = None) -> SweepOutcome:
    """Run every cell of ``spec`` not already in ``out_dir``; returns a :class:`SweepOutcome`.

    Stores are ``refs`` if given, else ``spec.stores`` resolved under ``data``.
    ``on_cell`` is called with each newly stored row. The CSV is rewritten
    even when the run is interrupted, so it always matches the journal.
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    refs = list(refs) if refs is not None else resolve_envs(list(spec.stores),
                                                             resolve_data_dir(data))
    plan = plan_cells(spec, refs)
    journal = Journal(out / RESULTS_JSONL)
    done = journal.load()
    pending = [c for c in plan if not _is_done(c, done, out, traces)]
    manifest = build_manifest(seeds=spec.seeds, stores={r.name: r.path for r in refs},
                              sweep_file=spec.source, sweep_text=spec.text, extra=manifest_extra)
    write_manifest(out / MANIFEST, {**manifest, "status": "running"})

    def store(cell: SweepCell, result: EvalResult) -> None:
        row = result_row(cell, result)
        if traces:
            row["traces"] = _write_traces(out, cell, result)
        journal.append(row)
        if on_cell is not None:
            on_cell(cell, row)

    try:
        _run_pending(pending, spec.seeds, workers, traces, store, progress)
    finally:
        rows = _finish(journal, plan, out)
    seconds = time.perf_counter() - t0
    write_manifest(out / MANIFEST, {**manifest, "status": "complete", "cells": len(plan),
                                    "cells_run": len(pending), "seconds": round(seconds, 1)})
    return SweepOutcome(rows, ran=len(pending), skipped=len(plan) - len(pending),
                        out_dir=out, seconds=seconds)


def _is_done(cell: SweepCell, done: dict[str, dict], out: Path, traces: bool) -> bool:
    row = done.get(cell.key)
    if row is None:
        return False
    # Asking for traces reruns finished cells whose traces were never written.
    return not traces or (bool(row.get("traces")) and (out / row["traces"]).is_file())


def _run_pending(pending: list[SweepCell], seeds: tuple[int, ...], workers: int, traces: bool,
                 store: Callable[[SweepCell, EvalResult], None], progress: bool) -> None:
    # run_cells returns only when a whole batch is done, so cells go in small
    # batches (one per worker pair) to store rows as they finish.
    size = 1 if workers <= 1 else 2 * workers
    seed_arg = len(seeds) if list(seeds) == list(range(len(seeds))) else list(seeds)
    with progress_bar(progress, len(pending), "sweep") as advance:
        for start in range(0, len(pending), size):
            batch = pending[start:start + size]
            advance(0, f"{batch[0].env} {batch[0].label}")
            results = run_cells([Cell(c.env, c.path, c.spec) for c in batch], seeds=seed_arg,
                                workers=workers, traces=traces)
            for cell, result in zip(batch, results):
                store(cell, result)
            advance(len(batch), None)


def _finish(journal: Journal, plan: list[SweepCell], out: Path) -> list[dict]:
    """Rewrite JSONL and CSV: this sweep's rows in plan order, then rows of
    other cells found in the directory (kept, never dropped). Returns the former."""
    stored = journal.load()
    ordered = [stored[c.key] for c in plan if c.key in stored]
    planned = {c.key for c in plan}
    others = [row for key, row in stored.items() if key not in planned]
    if stored:
        journal.rewrite(ordered + others)
        write_csv(out / RESULTS_CSV, ordered + others)
    return ordered


def _write_traces(out: Path, cell: SweepCell, result: EvalResult) -> str:
    """Write the cell's traces as JSONL under ``traces/``; returns the relative path."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{cell.env}__{cell.label}")
    digest = hashlib.sha1(cell.key.encode()).hexdigest()[:10]
    rel = f"traces/{slug}__{digest}.jsonl"
    lines = (json.dumps({"env": cell.env, "controller": cell.label, "params": cell.spec.params,
                         **row}) for row in result.traces or [])
    write_atomic(out / rel, "".join(line + "\n" for line in lines))
    return rel
