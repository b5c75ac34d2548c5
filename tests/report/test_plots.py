"""Scaling-curve figures: axes, scales, legend and colours (checked on the
matplotlib objects, not on pixels)."""

from __future__ import annotations

from matplotlib.colors import to_hex

from autotts.report import plots
from autotts.report.curves import paper_points, store_curves
from tests.report.toydata import synthetic_rows

STORES = ["Qwen3-0.6B/aime24", "Qwen3-1.7B/aime25", "Qwen3-8B/hmmt25", "Qwen3-4B/aime24"]


def _panels():
    rows = synthetic_rows(STORES)
    return ({s: store_curves(rows, s) for s in STORES}, {s: paper_points([s]) for s in STORES})


def test_grid_figure_axes_and_legend():
    panels, refs = _panels()
    fig = plots.store_grid_figure(panels, refs, ncols=3, suptitle="curves")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == STORES
    for ax in visible:
        assert ax.get_xlabel() == "tokens per question (log scale)"
        assert ax.get_ylabel() == "accuracy (%)"
        assert ax.get_xscale() == "log"
        assert {ln.get_label() for ln in ax.get_lines()} == {"SC", "ASC", "ESC",
                                                              "Parallel-Probe", "CMC"}
    assert len(fig.axes) - len(visible) == 2  # 4 stores on a 2 x 3 grid
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["SC", "ASC", "ESC", "Parallel-Probe", "CMC", "Table 1 target (hollow)"]
    plots.plt.close(fig)


def test_colours_are_the_same_for_a_method_everywhere():
    panels, refs = _panels()
    grid = plots.store_grid_figure(panels, refs)
    single = plots.single_figure(panels[STORES[1]], "one", refs[STORES[1]])
    for fig in (grid, single):
        for ax in fig.axes:
            for line in ax.get_lines():
                assert to_hex(line.get_color()) == plots.STYLES[line.get_label()][0].lower()
    plots.plt.close(grid)
    plots.plt.close(single)


def test_single_figure_has_legend_and_labels():
    panels, refs = _panels()
    fig = plots.single_figure(panels[STORES[2]], "Held-out mean", refs[STORES[2]])
    (ax,) = fig.axes
    assert ax.get_title() == "Held-out mean" and ax.get_xscale() == "log"
    assert ax.get_xlabel() == plots.X_LABEL and ax.get_ylabel() == plots.Y_LABEL
    assert "CMC" in [t.get_text() for t in ax.get_legend().get_texts()]
    plots.plt.close(fig)


def test_save_png_writes_a_png(tmp_path):
    panels, refs = _panels()
    path = plots.save_png(plots.store_grid_figure(panels, refs), tmp_path / "sub" / "c.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    assert not list(tmp_path.glob("sub/.*.tmp"))


def test_token_tick_labels_are_readable():
    assert plots._tokens_label(20_000) == "20k"
    assert plots._tokens_label(1_000_000) == "1M"
    assert plots._tokens_label(500) == "500"
