"""Figures of a discovery run (matplotlib, imported lazily; the [plot] extra).

Kept in the report package, the one place that draws."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def round_plot(path: Path, cells: Sequence, baselines: list[dict], title: str) -> None:
    """One panel per store: the candidate's curve against the baselines' curves."""
    plt = _plt()
    stores = list(dict.fromkeys(c.store for c in cells))
    fig, axes = plt.subplots(1, len(stores), figsize=(4 * len(stores), 3.4), squeeze=False)
    for ax, store in zip(axes[0], stores):
        by_ctrl: dict[str, list[tuple[float, float]]] = {}
        for b in baselines:
            if b["store"] == store:
                by_ctrl.setdefault(b["controller"], []).append((b["tokens"], b["accuracy"]))
        for name, pts in by_ctrl.items():
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".", lw=1, label=name)
        mine = sorted((c.tokens, c.accuracy) for c in cells if c.store == store)
        ax.plot([p[0] for p in mine], [p[1] for p in mine], marker="o", lw=2, color="k",
                label="candidate")
        ax.set_xscale("log")
        ax.set_title(store, fontsize=9)
        ax.set_xlabel("tokens per question (log scale)")
    axes[0][0].set_ylabel("accuracy (%)")
    axes[0][-1].legend(fontsize=7)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def figure4(path: Path, rows: list[dict]) -> None:
    """Per round, the beta = 1 accuracy on search and on held-out (the paper's Figure 4)."""
    _save(figure4_figure(rows), path)


def figure4_figure(rows: list[dict]):
    """The matplotlib figure of :func:`figure4` (whole-number round ticks)."""
    from matplotlib.ticker import MaxNLocator

    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    xs = [r["round"] for r in rows]
    ax.plot(xs, [r["search"] for r in rows], marker="o", label="search")
    ax.plot(xs, [r["held_out"] for r in rows], marker="s", label="held-out")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # rounds are whole numbers
    ax.set_xlabel("round")
    ax.set_ylabel("accuracy at top beta (%)")
    ax.legend()
    fig.tight_layout()
    return fig


def _save(fig, path: Path) -> None:
    fig.savefig(path, dpi=110)
    _plt().close(fig)


def curves_plot(path: Path, curves: dict[str, list[tuple[float, float]]], title: str,
                labels: dict[str, list[str]] | None = None) -> None:
    """Mean held-out curves (tokens, accuracy) of picks and baselines on one panel.

    ``labels`` maps a curve name to one text per point (in the order of
    ``curves[name]``), written next to each marker: the pick's beta at each point.
    """
    _save(curves_figure(curves, title, labels), path)


def curves_figure(curves: dict[str, list[tuple[float, float]]], title: str,
                  labels: dict[str, list[str]] | None = None):
    """The matplotlib figure of :func:`curves_plot`."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4.4))
    for name, pts in curves.items():
        if "envelope" in name:  # a dense sampled line, not settings: no markers
            pts = sorted(pts)
            ax.plot([p[0] for p in pts], [p[1] for p in pts], ls="--", lw=1.2, color="0.3",
                    label=name)
            continue
        texts = (labels or {}).get(name) or [""] * len(pts)
        pairs = sorted(zip(pts, texts))
        pts = [p for p, _ in pairs]
        pick = "pick" in name
        line, = ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o" if pick else ".",
                        lw=2 if pick else 1, label=name)
        for (x, y), text in zip(pts, (t for _, t in pairs)):
            if text:
                # up and to the left: curves rise to the right, so that corner is free
                ax.annotate(text, (x, y), textcoords="offset points", xytext=(-4, 4),
                            ha="right", fontsize=6, color=line.get_color())
    ax.set_xscale("log")
    ax.set_xlabel("tokens per question, mean over held-out stores (log scale)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig
