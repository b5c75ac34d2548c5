"""The discovery run's figures: whole-number round ticks, reference curves, beta labels."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib")

from autotts.report.discovery_plots import curves_figure, figure4_figure  # noqa: E402


def test_figure4_ticks_are_whole_rounds():
    rows = [{"round": n, "search": 40 + n, "held_out": 38 + n} for n in (1, 2, 3)]
    fig = figure4_figure(rows)
    ticks = [t for t in fig.axes[0].get_xticks() if 1 <= t <= 3]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks


def test_curves_figure_labels_each_pick_point_with_its_beta():
    curves = {"sc": [(1e5, 40.0), (4e5, 45.0)],
              "CMC": [(2e5, 43.0), (3e5, 45.5)],
              "pick by accuracy (r2)": [(3e5, 46.0), (1.5e5, 44.0)]}
    labels = {"pick by accuracy (r2)": ["1", "0.5"]}
    fig = curves_figure(curves, "held-out", labels)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(curves)
    marks = {t.get_text(): t.xy for t in ax.texts}
    # each label sits at its own point, whatever order the points came in
    assert marks == {"1": (3e5, 46.0), "0.5": (1.5e5, 44.0)}
