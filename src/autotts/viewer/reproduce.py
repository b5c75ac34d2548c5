"""Interactive scaling curves for ``autotts reproduce table1``'s report.html."""

from __future__ import annotations

from collections.abc import Sequence

from autotts.data.catalog import HELD_OUT_SPLIT
from autotts.report.curves import MethodCurves, mean_curves, paper_points, store_curves
from autotts.viewer import deps
from autotts.viewer.charts import BASELINE_COLORS, envelope

OURS = "CMC"  # the paper's discovered controller; every other family is a baseline


def _traces(go, curves: MethodCurves, refs: dict, first: bool) -> list:
    out = []
    for i, (label, pts) in enumerate(curves.items()):
        color = "black" if label == OURS else BASELINE_COLORS[i % len(BASELINE_COLORS)]
        out.append(go.Scatter(
            x=[p.tokens for p in pts], y=[p.accuracy for p in pts],
            text=[f"{p.knob:g}" for p in pts],
            mode="lines+markers", name=label, legendgroup=label, showlegend=first,
            line={"color": color, "width": 2 if label == OURS else 1}, marker={"size": 6},
            hovertemplate=f"{label} knob %{{text}}<br>%{{y:.2f}}%% at %{{x:.3s}} tokens"
                          "<extra></extra>"))
        ref = refs.get(label, [])
        if ref:
            out.append(go.Scatter(
                x=[t for t, _ in ref], y=[a for _, a in ref], mode="markers",
                name=f"{label} (Table 1 target)", legendgroup=label, showlegend=False,
                marker={"color": color, "size": 10, "symbol": "circle-open"},
                hovertemplate=f"{label} Table-1 target %{{y:.2f}}%%<extra></extra>"))
    env, shape = envelope({k: [(p.tokens, p.accuracy, "") for p in v]
                           for k, v in curves.items() if k != OURS})
    if env:
        out.append(go.Scatter(x=[p[0] for p in env], y=[p[1] for p in env], mode="lines",
                              name="best-baseline envelope", legendgroup="envelope",
                              showlegend=first, line_shape=shape, hoverinfo="skip",
                              line={"color": "gray", "width": 1.5, "dash": "dash"}))
    return out


def curves_figure(rows: Sequence[dict], stores: Sequence[str]):
    """The held-out mean (when held-out stores are present) and one panel per store."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    held = [s for s in stores if s in HELD_OUT_SPLIT]
    panels = ([("held-out mean", mean_curves(rows, held), paper_points(held))] if held else [])
    panels += [(s, store_curves(rows, s), paper_points([s])) for s in stores]
    cols = min(3, len(panels))
    nrows = -(-len(panels) // cols)
    fig = make_subplots(rows=nrows, cols=cols, subplot_titles=[p[0] for p in panels],
                        horizontal_spacing=0.06, vertical_spacing=0.08 if nrows > 2 else 0.14)
    for k, (_, curves, refs) in enumerate(panels):
        for tr in _traces(go, curves, refs, k == 0):
            fig.add_trace(tr, row=k // cols + 1, col=k % cols + 1)
    fig.update_xaxes(type="log")
    fig.update_layout(height=320 * nrows + 80, template="plotly_white", hovermode="closest",
                      margin={"l": 50, "r": 20, "t": 60, "b": 40},
                      legend={"groupclick": "togglegroup"},
                      title="Accuracy (%) vs tokens per question (log); hollow: Table-1 targets")
    return fig


def interactive_curves(rows: Sequence[dict], stores: Sequence[str]) -> str:
    """The curves as HTML with plotly.js inlined ('' when the [viewer] extra is missing)."""
    if deps.missing():
        return ""
    fig = curves_figure(rows, stores)
    return f"<script>{deps.plotly_js()}</script>" + fig.to_html(
        full_html=False, include_plotlyjs=False, div_id="reproduce-curves",
        config={"displaylogo": False, "responsive": True})
