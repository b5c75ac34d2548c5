"""``reproduce table1``: the paper's Table 1 and its scaling curves, as one
resumable sweep (:mod:`autotts.evaluation.sweep`) whose rows
:mod:`autotts.report.reproduce` renders into tables, figures and a report."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from autotts import __version__
from autotts.data.catalog import HELD_OUT_SPLIT, PUBLISHED, resolve_data_dir, resolve_envs
from autotts.evaluation.results_io import git_commit
from autotts.evaluation.sweep import run_sweep
from autotts.evaluation.sweep_spec import SweepSpec, parse_sweep, to_toml
from autotts.fileio import write_atomic
from autotts.report.beyond import BEYOND_FAMILIES
from autotts.report.curves import FAMILIES
from autotts.report.reproduce import ReproduceOutcome, write_reports

SWEEP_HEADER = ("# Written by `autotts reproduce table1`: Table 1 and its scaling curves.\n"
                "# Every baseline sweeps its width with the other parameters at their Table-1\n"
                "# values; CMC sweeps beta. Rerun with: autotts sweep sweep.toml --out DIR\n")

BEYOND_HEADER = ("# Written by `autotts reproduce table1`: beyond the paper (not in Table 1).\n"
                "# Rerun with: autotts sweep sweep.toml --out DIR\n")


def reproduce_spec(stores: Sequence[str], seeds: int, curves: bool = True,
                   source: str = "sweep.toml") -> SweepSpec:
    """The sweep behind Table 1: every family over its knob values (only the
    Table-1 values when ``curves`` is False); returns the parsed spec."""
    controllers = [{"id": fam.controller_id, "label": fam.label, "params": fam.params,
                    "grid": {fam.knob: list(fam.values if curves else fam.table_values())}}
                   for fam in FAMILIES]
    text = SWEEP_HEADER + to_toml(seeds, list(stores), controllers)
    return parse_sweep(text, source=source)


def run_reproduce(out_dir: str | Path, *, stores: Sequence[str] = PUBLISHED, seeds: int = 100,
                  workers: int = 1, data: str | Path | None = None, curves: bool = True,
                  progress: bool = False, console: Console | None = None) -> ReproduceOutcome:
    """Run (or resume) the Table-1 sweep into ``out_dir`` and write every
    table, figure and report; returns a :class:`ReproduceOutcome`.

    The published stores are downloaded first when the data directory has none.
    """
    from autotts.data.published import ensure_data

    t0 = time.perf_counter()
    out = Path(out_dir)
    root = resolve_data_dir(data)
    ensure_data(root, console=console, progress=progress)
    refs = resolve_envs(list(stores), root)
    names = [r.name for r in refs]
    spec = reproduce_spec(names, seeds, curves, source=str(out / "sweep.toml"))
    write_atomic(out / "sweep.toml", spec.text)
    sweep = run_sweep(spec, out, refs=refs, workers=workers, progress=progress,
                      manifest_extra={"command": "autotts reproduce table1"})
    meta = {"autotts version": __version__, "git commit": git_commit(), "seeds": seeds,
            "stores": len(names), "cells": len(sweep.rows),
            "cells evaluated in this run": sweep.ran,
            "wall time of this run (s)": round(time.perf_counter() - t0, 1)}
    extra = run_beyond(out, refs, seeds, workers=workers, progress=progress) if curves else []
    outcome = write_reports(out, sweep.rows, names, seeds, curves=curves, meta=meta,
                            beyond=extra)
    outcome.sweep = sweep
    return outcome


def beyond_spec(stores: Sequence[str], seeds: int, source: str) -> SweepSpec:
    """The beyond-the-paper sweep over ``stores``; returns the parsed spec."""
    controllers = [{"id": f.controller_id, "label": f.label, "params": f.params,
                    "grid": {f.knob: list(f.values)}} for f in BEYOND_FAMILIES]
    return parse_sweep(BEYOND_HEADER + to_toml(seeds, list(stores), controllers), source=source)


def run_beyond(out: Path, refs, seeds: int, *, workers: int, progress: bool) -> list[dict]:
    """Run (or resume) the sweep on the held-out stores among ``refs`` into
    ``out/beyond``; returns its rows (none without held-out stores)."""
    held = [r for r in refs if r.name in HELD_OUT_SPLIT]
    if not held:
        return []
    spec = beyond_spec([r.name for r in held], seeds, str(out / "beyond" / "sweep.toml"))
    write_atomic(out / "beyond" / "sweep.toml", spec.text)
    return run_sweep(spec, out / "beyond", refs=held, workers=workers, progress=progress,
                     manifest_extra={"command": "autotts reproduce table1 (beyond the paper)"}).rows
