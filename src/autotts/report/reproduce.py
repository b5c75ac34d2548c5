"""Rendering ``reproduce table1``'s output: tables, figures and the report page
from the sweep's rows (the sweep itself is :mod:`autotts.evaluation.reproduce`).

Output directory::

    sweep.toml            the sweep that was run (rerun it with `autotts sweep`)
    results.csv/.jsonl    one row per (store, method, knob value); manifest.json
    table1.md, table1.csv ours beside the paper's printed values
    curves_stores.png     one scaling-curve panel per store
    curves_held_out.png   the held-out mean (aime25 + hmmt25)
    report.md, report.html
    beyond/               beyond the paper (with curves and held-out stores):
                          short-m@k, Answer Consistency, ST-BoN and the
                          best-baseline envelope (see autotts.report.beyond)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autotts.data.catalog import HELD_OUT_SPLIT
from autotts.evaluation.results_io import write_csv
from autotts.evaluation.sweep import SweepOutcome
from autotts.fileio import write_atomic
from autotts.report import tables
from autotts.report.curves import mean_curves, paper_points, store_curves
from autotts.report.document import ReportData, ReportFigure


@dataclass
class ReproduceOutcome:
    """Where everything went, the Table-1 Markdown and the sweep's own outcome."""

    out_dir: Path
    markdown: str
    files: dict[str, Path] = field(default_factory=dict)
    sweep: SweepOutcome | None = None


def write_reports(out_dir: str | Path, rows: Sequence[dict], stores: Sequence[str], seeds: int,
                  *, curves: bool = True, meta: dict | None = None,
                  beyond: Sequence[dict] = ()) -> ReproduceOutcome:
    """Write table1.md/.csv, the figures (when ``curves``) and report.md/.html
    from sweep ``rows``, plus the beyond-the-paper table and figure from the
    ``beyond`` sweep's rows when given; returns a :class:`ReproduceOutcome`."""
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
    from autotts.viewer.reproduce import interactive_curves
    data.interactive = interactive_curves(rows, stores) if curves else ""
    if beyond:
        from autotts.report.beyond import write_beyond

        files.update(write_beyond(out, list(rows) + list(beyond), stores, data, curves=curves))
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
