"""``reproduce table1``: the paper's Table 1 and its scaling curves, as one
resumable sweep followed by tables, figures and a report page.

Output directory::

    sweep.toml            the sweep that was run (rerun it with `autotts sweep`)
    results.csv/.jsonl    one row per (store, method, knob value); manifest.json
    table1.md, table1.csv ours beside the paper's printed values
    curves_stores.png     one scaling-curve panel per store
    curves_held_out.png   the held-out mean (aime25 + hmmt25)
    report.md, report.html
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from autotts import __version__
from autotts.data.catalog import (
    HELD_OUT_SPLIT,
    PUBLISHED,
    resolve_data_dir,
    resolve_envs,
)
from autotts.evaluation.results_io import git_commit, write_csv
from autotts.evaluation.sweep import SweepOutcome, run_sweep
from autotts.evaluation.sweep_spec import SweepSpec, parse_sweep, to_toml
from autotts.fileio import write_atomic
from autotts.report import tables
from autotts.report.curves import FAMILIES, mean_curves, paper_points, store_curves
from autotts.report.document import ReportData, ReportFigure

SWEEP_HEADER = ("# Written by `autotts reproduce table1`: Table 1 and its scaling curves.\n"
                "# Every baseline sweeps its width with the other parameters at their Table-1\n"
                "# values; CMC sweeps beta. Rerun with: autotts sweep sweep.toml --out DIR\n")


@dataclass
class ReproduceOutcome:
    """Where everything went, the Table-1 Markdown and the sweep's own outcome."""

    out_dir: Path
    markdown: str
    files: dict[str, Path] = field(default_factory=dict)
    sweep: SweepOutcome | None = None


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
    outcome = write_reports(out, sweep.rows, names, seeds, curves=curves, meta=meta)
    outcome.sweep = sweep
    return outcome


def write_reports(out_dir: str | Path, rows: Sequence[dict], stores: Sequence[str], seeds: int,
                  *, curves: bool = True, meta: dict | None = None) -> ReproduceOutcome:
    """Write table1.md/.csv, the figures (when ``curves``) and report.md/.html
    from sweep ``rows``; returns a :class:`ReproduceOutcome`."""
    out = Path(out_dir)
    cells = tables.table1_cells(rows, stores)
    means = tables.held_out_means(rows, stores)
    markdown = tables.table1_markdown(cells, means, seeds)
    files = {"table1.md": write_atomic(out / "table1.md", markdown),
             "table1.csv": write_csv(out / "table1.csv", tables.csv_rows(cells + means),
                                     tables.CSV_COLUMNS)}
    figures = write_figures(out, rows, stores) if curves else []
    files.update({f.path.name: f.path for f in figures})
    data = ReportData(seeds=seeds, stores=list(stores), cells=cells, means=means,
                      figures=figures, meta=meta or {})
    from autotts.report.html import report_html
    from autotts.report.markdown import report_markdown

    files["report.md"] = write_atomic(out / "report.md", report_markdown(data, out))
    files["report.html"] = write_atomic(out / "report.html", report_html(data))
    return ReproduceOutcome(out, markdown, files)


def write_figures(out: Path, rows: Sequence[dict], stores: Sequence[str]) -> list[ReportFigure]:
    """The held-out mean figure (when held-out stores are present) and the
    per-store grid; returns them as report figures."""
    from autotts.report import plots

    figures = []
    held = [s for s in stores if s in HELD_OUT_SPLIT]
    if held:
        title = f"Held-out mean over {len(held)} stores (aime25 + hmmt25)"
        fig = plots.single_figure(mean_curves(rows, held), title, paper_points(held))
        figures.append(ReportFigure(plots.save_png(fig, out / "curves_held_out.png"), title,
                                    "Accuracy and tokens averaged over the held-out stores "
                                    "at each knob value, as the paper's held-out mean."))
    panels = {s: store_curves(rows, s) for s in stores}
    refs = {s: paper_points([s]) for s in stores}
    fig = plots.store_grid_figure(panels, refs, ncols=min(3, len(stores)),
                                  suptitle="Scaling curves per store")
    figures.append(ReportFigure(plots.save_png(fig, out / "curves_stores.png"),
                                "Scaling curves per store",
                                "One panel per replay store; rows are models, columns datasets."))
    return figures
