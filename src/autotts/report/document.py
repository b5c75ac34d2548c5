"""What the reproduction report says, independent of its format (Markdown or HTML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from autotts.report.curves import FAMILIES
from autotts.report.tables import Table1Cell


@dataclass
class ReportFigure:
    """A PNG on disk and its caption."""

    path: Path
    title: str
    caption: str


@dataclass
class ReportData:
    """Everything the report shows; both renderers read only this."""

    seeds: int
    stores: list[str]
    cells: list[Table1Cell]
    means: list[Table1Cell]
    figures: list[ReportFigure] = field(default_factory=list)
    meta: dict = field(default_factory=dict)   # version, commit, wall time, ...
    interactive: str = ""  # Plotly curves for report.html (autotts.viewer.reproduce)
    beyond_table: list[list[str]] = field(default_factory=list)  # rows, beyond.HEADER order
    beyond_figures: list[ReportFigure] = field(default_factory=list)


def curve_notes() -> list[str]:
    """How each scaling curve was swept, one sentence per method."""
    notes = []
    for fam in FAMILIES:
        fixed = ", ".join(f"{k}={v}" for k, v in fam.params.items())
        values = ", ".join(str(v) for v in fam.values)
        notes.append(f"{fam.label}: {fam.knob} in {{{values}}}" + (f" ({fixed})" if fixed else ""))
    notes.append("ESC reads whole windows of 8 branches, so its width budget starts at 8.")
    notes.append("Hollow markers: the Table-1 targets (the paper's printed values; the "
                 "released code's where they differ).")
    return notes


def intro(data: ReportData) -> str:
    """The opening paragraph."""
    return (f"Reproduction of Table 1 of the AutoTTS paper (arXiv 2605.08083) on "
            f"{len(data.stores)} replay store(s) with {data.seeds} shuffle seeds each: "
            "SC@64, ASC, ESC, Parallel-Probe and the discovered CMC controller at beta 0.5 "
            "and 1.0. Accuracy is in percent (mean over seeds), tokens are the average "
            "tokens per question (thousands). Δ = ours − target.")


def meta_lines(data: ReportData) -> list[str]:
    """``key: value`` lines of provenance (version, commit, seeds, wall time)."""
    return [f"{k}: {v}" for k, v in data.meta.items() if v not in (None, "")]
