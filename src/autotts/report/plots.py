"""Scaling-curve figures of sweeps (matplotlib, Agg backend; imported only when a
figure is drawn, like the other plotting modules).

Accuracy against tokens per question on a log axis, one colour and marker per
method everywhere, hollow markers for the Table-1 targets.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, never a window; must precede pyplot

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator  # noqa: E402

from autotts.fileio import write_atomic  # noqa: E402
from autotts.report.curves import MethodCurves  # noqa: E402

X_LABEL = "tokens per question (log scale)"
Y_LABEL = "accuracy (%)"
# Colour-blind-safe (Okabe-Ito) colours; CMC, the discovered controller, in vermillion.
STYLES: dict[str, tuple[str, str]] = {
    "SC": ("#0072B2", "o"),
    "ASC": ("#E69F00", "s"),
    "ESC": ("#009E73", "^"),
    "Parallel-Probe": ("#CC79A7", "D"),
    "CMC": ("#D55E00", "*"),
    "short-m@k": ("#56B4E9", "v"),
    "Answer Consistency": ("#999933", "P"),
    "ST-BoN": ("#000000", "X"),
}
ENVELOPE = "best-baseline envelope"  # drawn as a dashed line without markers
_FALLBACK = ("#555555", "x")

Reference = dict[str, list[tuple[float, float]]]  # label -> (tokens, accuracy) points


def _tokens_label(x: float, _pos=None) -> str:
    if x >= 1e6:
        return f"{x / 1e6:g}M"
    if x >= 1e3:
        return f"{x / 1e3:g}k"
    return f"{x:g}"


def draw_panel(ax, curves: MethodCurves, title: str, reference: Reference | None = None,
               xlim: tuple[float, float] | None = None) -> None:
    """Draw one panel: a line per method plus hollow Table-1 markers."""
    for label, pts in curves.items():
        if label == ENVELOPE:
            ax.plot([p.tokens for p in pts], [p.accuracy for p in pts], color="#444444",
                    linestyle="--", linewidth=1.8, alpha=0.8, label=label, zorder=4)
            continue
        color, marker = STYLES.get(label, _FALLBACK)
        ax.plot([p.tokens for p in pts], [p.accuracy for p in pts], color=color,
                marker=marker, markersize=7 if marker == "*" else 5, linewidth=1.6, label=label)
    for label, pts in (reference or {}).items():
        color, marker = STYLES.get(label, _FALLBACK)
        ax.scatter([t for t, _ in pts], [a for _, a in pts], s=110, facecolors="none",
                   edgecolors=color, marker=marker, linewidths=1.3, zorder=3)
    ax.set_xscale("log")
    if xlim:
        ax.set_xlim(*xlim)
    ax.xaxis.set_major_formatter(FuncFormatter(_tokens_label))
    # Label 2x and 5x ticks too: a decade per panel is too coarse to read values off.
    ax.xaxis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))
    ax.xaxis.set_minor_formatter(FuncFormatter(_tokens_label))
    ax.tick_params(axis="x", which="minor", labelsize=8, labelcolor="#555555")
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(X_LABEL)
    ax.set_ylabel(Y_LABEL)
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", alpha=0.12)


def _legend_handles(labels: Sequence[str], with_reference: bool) -> list[Line2D]:
    handles = []
    for label in labels:
        if label == ENVELOPE:
            handles.append(Line2D([], [], color="#444444", linestyle="--", label=label))
            continue
        color, marker = STYLES.get(label, _FALLBACK)
        handles.append(Line2D([], [], color=color, marker=marker, label=label))
    if with_reference:
        handles.append(Line2D([], [], color="black", marker="o", markerfacecolor="none",
                              linestyle="none", label="Table 1 target (hollow)"))
    return handles


def common_xlim(all_curves: Sequence[MethodCurves],
                pad: float = 1.25) -> tuple[float, float] | None:
    """An x range covering every point of every panel (padded on the log scale)."""
    xs = [p.tokens for c in all_curves for pts in c.values() for p in pts if p.tokens > 0]
    if not xs:
        return None
    return min(xs) / pad, max(xs) * pad


def store_grid_figure(panels: dict[str, MethodCurves],
                      references: dict[str, Reference] | None = None,
                      ncols: int = 3, suptitle: str = "") -> Figure:
    """One panel per store (in ``panels`` order), ``ncols`` per row, with one
    shared legend; returns the Figure."""
    names = list(panels)
    nrows = max(1, math.ceil(len(names) / ncols))
    ncols = min(ncols, max(1, len(names)))
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.6 * ncols, 3.5 * nrows + 1.0),
                             squeeze=False, layout="constrained")
    xlim = common_xlim(list(panels.values()))
    for ax, name in zip(axes.flat, names):
        draw_panel(ax, panels[name], name, (references or {}).get(name), xlim)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    labels = [lb for lb in STYLES if any(lb in c for c in panels.values())]
    labels += sorted({lb for c in panels.values() for lb in c} - set(labels))
    if suptitle:
        fig.suptitle(suptitle, fontsize=13)
    fig.legend(handles=_legend_handles(labels, bool(references)), loc="outside lower center",
               ncol=len(labels) + 1, frameon=False, fontsize=10)
    return fig


def single_figure(curves: MethodCurves, title: str, reference: Reference | None = None) -> Figure:
    """One larger panel (e.g. the held-out mean) with its legend; returns the Figure."""
    fig, ax = plt.subplots(figsize=(8.5, 5.6))
    draw_panel(ax, curves, title, reference, common_xlim([curves]))
    labels = [lb for lb in STYLES if lb in curves] + sorted(set(curves) - set(STYLES))
    ax.legend(handles=_legend_handles(labels, bool(reference)), loc="lower right", fontsize=10)
    fig.tight_layout()
    return fig


def save_png(fig: Figure, path: str | os.PathLike[str], dpi: int = 110) -> Path:
    """Render ``fig`` to PNG atomically, close it, and return the path."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return write_atomic(path, buf.getvalue())
