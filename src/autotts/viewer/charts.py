"""Interactive accuracy-vs-tokens charts (Plotly, imported lazily).

Every round's curve carries its round number as ``customdata``, so a click on
one of its points can open that round in the page (see page.py's script).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from autotts.evaluation.pareto import pareto_frontier

Curve = list[tuple[float, float, str]]  # (tokens, accuracy, setting label), in setting order
BASELINE_COLORS = ("#7f7f7f", "#bcbd22", "#17becf", "#8c564b", "#e377c2", "#9467bd")
ENVELOPE_NAME = "best-baseline envelope"


def _label(params: dict) -> str:
    return ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in params.items())


def mean_curve(rows: Sequence[dict], stores: Sequence[str]) -> Curve:
    """Per setting (in first-seen order), accuracy and tokens averaged over ``stores``;
    rows are result cells or baseline rows (``store``, ``params``, ``accuracy``, ``tokens``).
    Settings missing on one of the stores are left out."""
    groups: dict[str, dict[str, dict]] = {}
    for r in rows:
        if r["store"] in stores:
            groups.setdefault(json.dumps(r["params"], sort_keys=True), {})[r["store"]] = r
    out = []
    for g in groups.values():
        if len(g) == len(stores):
            v = list(g.values())
            out.append((sum(r["tokens"] for r in v) / len(v),
                        sum(r["accuracy"] for r in v) / len(v), _label(v[0]["params"])))
    return out


def baseline_curves(rows: Sequence[dict], stores: Sequence[str]) -> dict[str, Curve]:
    """Baseline id -> its curve over ``stores`` (mean when several), sorted by tokens."""
    by_ctrl: dict[str, list[dict]] = {}
    for r in rows:
        by_ctrl.setdefault(r["controller"], []).append(r)
    return {c: sorted(mean_curve(v, stores)) for c, v in by_ctrl.items() if mean_curve(v, stores)}


def envelope(curves: dict[str, Curve]) -> tuple[list[tuple[float, float]], str]:
    """The best-baseline envelope as (points sorted by tokens, Plotly line shape).

    Uses the project's shared definition, ``evaluation.pareto.envelope_curve``,
    when it is there; until then the best accuracy any baseline setting reaches
    with at most x tokens (the Pareto frontier of all their points, drawn as steps)."""
    pts = {name: [(t, a) for t, a, _ in c] for name, c in curves.items() if c}
    try:
        from autotts.evaluation.pareto import envelope_curve
    except ImportError:
        flat = [p for c in pts.values() for p in c]
        return (pareto_frontier(flat) if flat else []), "hv"
    return envelope_curve(pts), "linear"


def _baseline_traces(go, curves: dict[str, Curve], show_legend: bool) -> list:
    traces = []
    for i, (name, pts) in enumerate(curves.items()):
        traces.append(go.Scatter(
            x=[p[0] for p in pts], y=[p[1] for p in pts], text=[p[2] for p in pts],
            mode="lines+markers", name=name, legendgroup=name, showlegend=show_legend,
            line={"color": BASELINE_COLORS[i % len(BASELINE_COLORS)], "width": 1, "dash": "dot"},
            marker={"size": 5}, hovertemplate=f"{name} %{{text}}<br>%{{y:.2f}}%% at "
                                              "%{x:.3s} tokens<extra></extra>"))
    env, shape = envelope(curves)
    if env:
        traces.append(go.Scatter(
            x=[p[0] for p in env], y=[p[1] for p in env], mode="lines", name=ENVELOPE_NAME,
            legendgroup=ENVELOPE_NAME, showlegend=show_legend, line_shape=shape,
            line={"color": "black", "width": 1.5, "dash": "dash"}, hoverinfo="skip"))
    return traces


def _round_trace(go, label: str, n: int, pts: Curve, color: str, show_legend: bool):
    return go.Scatter(
        x=[p[0] for p in pts], y=[p[1] for p in pts], text=[p[2] for p in pts],
        customdata=[n] * len(pts), mode="lines+markers", name=label, legendgroup=label,
        showlegend=show_legend, line={"color": color, "width": 2}, marker={"size": 8},
        hovertemplate=f"<b>{label}</b> %{{text}}<br>%{{y:.2f}}%% at %{{x:.3s}} tokens"
                      "<br>click to open the round<extra></extra>")


def _colors(k: int) -> list[str]:
    from plotly.colors import qualitative

    palette = qualitative.Plotly
    return [palette[i % len(palette)] for i in range(k)]


def curves_figure(baselines: Sequence[dict], rounds: Sequence[tuple[int, list[dict]]],
                  stores: Sequence[str], title: str):
    """Accuracy vs tokens (log x): one panel for the mean over ``stores`` and one per
    store; baselines (dotted), their envelope (dashed) and every round's curve."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    panels = [("mean over " + (f"{len(stores)} stores" if len(stores) > 1 else stores[0]),
               list(stores))] + ([(s, [s]) for s in stores] if len(stores) > 1 else [])
    cols = min(3, len(panels))
    nrows = -(-len(panels) // cols)
    fig = make_subplots(rows=nrows, cols=cols, subplot_titles=[p[0] for p in panels],
                        horizontal_spacing=0.06, vertical_spacing=0.14)
    colors = _colors(len(rounds))
    for k, (_, panel_stores) in enumerate(panels):
        row, col, first = k // cols + 1, k % cols + 1, k == 0
        for tr in _baseline_traces(go, baseline_curves(baselines, panel_stores), first):
            fig.add_trace(tr, row=row, col=col)
        for (n, cells), color in zip(rounds, colors):
            pts = mean_curve(cells, panel_stores)
            if pts:
                fig.add_trace(_round_trace(go, f"r{n:04d}", n, pts, color, first),
                              row=row, col=col)
    fig.update_xaxes(type="log", title_text="tokens per question (log)")
    fig.update_yaxes(title_text="accuracy (%)")
    fig.update_layout(title=title, height=360 * nrows + 80, hovermode="closest",
                      margin={"l": 60, "r": 20, "t": 80, "b": 50}, template="plotly_white",
                      legend={"groupclick": "togglegroup"})
    return fig


def figure4(rows: Sequence[dict]):
    """Per round, the accuracy of its top setting on search and on held-out (Figure 4)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    xs = [r["round"] for r in rows]
    for key, name, symbol in (("search", "search", "circle"), ("held_out", "held-out", "square")):
        fig.add_trace(go.Scatter(x=xs, y=[r[key] for r in rows], customdata=xs, name=name,
                                 mode="lines+markers", marker={"symbol": symbol, "size": 9},
                                 hovertemplate=f"round %{{x}} {name}: %{{y:.2f}}%%"
                                               "<extra></extra>"))
    fig.update_layout(title="Top setting per round: search vs held-out", height=360,
                      xaxis_title="round", yaxis_title="accuracy (%)", template="plotly_white",
                      xaxis={"dtick": 1}, hovermode="closest")
    return fig


def figure_html(fig, div_id: str) -> str:
    """The figure as a ``<div>`` plus its script; plotly.js itself is inlined once by the page."""
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})
