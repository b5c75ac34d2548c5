"""``reproduce table1``, beyond the paper: short-m@k, Answer Consistency and
ST-BoN on the held-out stores, their distance to the best-baseline envelope,
and one held-out figure with every curve and the envelope.

Kept apart from Table 1 on purpose: a second sweep in ``OUT/beyond/`` (its own
``sweep.toml``, results and manifest), its own table and figure; Table 1 and
its figures are computed exactly as before.

Each table row states the accuracy difference to the upper envelope of the
*other* baseline families (SC, ASC, ESC, Parallel-Probe, CMC, short-m@k,
without the row's own family) at the row's tokens, with the paired bootstrap
of :mod:`autotts.evaluation.envelope_gap`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autotts.data.catalog import HELD_OUT_SPLIT
from autotts.evaluation.envelope_gap import RESAMPLED, EnvelopeGap, RatedPoint, envelope_gap
from autotts.evaluation.pareto import envelope_curve
from autotts.evaluation.stats import accuracy_interval
from autotts.fileio import write_atomic
from autotts.report.curves import BETAS, FAMILIES, WIDTHS, CurvePoint, Family, mean_curves
from autotts.report.tables import find_row, fmt_diff

ENVELOPE_LABEL = "best-baseline envelope"
BEYOND_FAMILIES: tuple[Family, ...] = (
    Family("short-m@k", "short-m@k-beta", "beta", BETAS),
    Family("Answer Consistency", "answer-consistency", "n", WIDTHS, {"k": 10}),
    Family("ST-BoN", "st-bon", "n", WIDTHS),
)
#: families whose curves make up the envelope (by label)
ENVELOPE_FAMILIES = ("SC", "ASC", "ESC", "Parallel-Probe", "CMC", "short-m@k")
#: table rows: (name, family label, parameters)
TABLE_ROWS: tuple[tuple[str, str, dict], ...] = (
    ("short-m@k (k=32, m=8)", "short-m@k", {"beta": 0.8}),
    ("short-m@k (k=64, m=16)", "short-m@k", {"beta": 1.0}),
    ("Answer Consistency (k=10, n=64)", "Answer Consistency", {"k": 10, "n": 64}),
    ("ST-BoN (n=64)", "ST-BoN", {"n": 64}),
    ("CMC beta=0.5", "CMC", {"beta": 0.5}),
    ("CMC beta=1.0", "CMC", {"beta": 1.0}),
)
HEADER = ("store", "method", "accuracy %", "95% CI", "tokens (k)", "envelope of the others",
          "set by", "Δ acc [95% CI]", "P(Δ<=0)")

@dataclass(frozen=True)
class BeyondRow:
    """One table row: a method on a store (or the held-out mean) and its envelope gap."""

    store: str
    method: str
    accuracy: float
    ci95: tuple[float, float]
    ktokens: float
    gap: EnvelopeGap


def held_out(stores: Sequence[str]) -> list[str]:
    """The stores of ``stores`` that belong to the held-out split, in order."""
    return [s for s in stores if s in HELD_OUT_SPLIT]


def _family(label: str) -> Family:
    return next(f for f in FAMILIES + BEYOND_FAMILIES if f.label == label)


def _point(rows: Sequence[dict], stores: Sequence[str], label: str, params: dict):
    found = [find_row(rows, s, label, params) for s in stores]
    if any(r is None for r in found):
        return None
    rates = [r.get("question_correct_rate") for r in found]
    return RatedPoint(sum(r["tokens"] for r in found) / len(found),
                      sum(r["accuracy"] for r in found) / len(found),
                      rates if all(rates) else None)


def _curves(rows: Sequence[dict], stores: Sequence[str], labels: Sequence[str]):
    out: dict[str, list[RatedPoint]] = {}
    for label in labels:
        fam = _family(label)
        pts = [_point(rows, stores, label, {**fam.params, fam.knob: v}) for v in fam.values]
        if any(p is not None for p in pts):
            out[label] = [p for p in pts if p is not None]
    return out


def beyond_rows(rows: Sequence[dict], stores: Sequence[str]) -> list[BeyondRow]:
    """Table rows per held-out store and on their mean (two or more stores);
    ``rows`` holds the Table-1 sweep's and the beyond sweep's rows together."""
    held = held_out(stores)
    groups = [([s], s) for s in held]
    if len(held) >= 2:
        groups.append((held, f"held-out mean ({len(held)} stores)"))
    out = []
    for group, name in groups:
        for method, label, params in TABLE_ROWS:
            cand = _point(rows, group, label, params)
            if cand is None:
                continue
            others = _curves(rows, group, [f for f in ENVELOPE_FAMILIES if f != label])
            ci = ((math.nan, math.nan) if cand.rates is None else
                  (lambda iv: (iv.lo, iv.hi))(accuracy_interval(cand.rates)))
            out.append(BeyondRow(name, method, cand.accuracy, ci, cand.tokens / 1e3,
                                 envelope_gap(cand, others)))
    return out


def row_fields(r: BeyondRow) -> list[str]:
    """Display strings in :data:`HEADER` order."""
    g = r.gap
    ci = "n/a" if math.isnan(r.ci95[0]) else f"{r.ci95[0]:.1f}–{r.ci95[1]:.1f}"
    if math.isnan(g.envelope):
        env, src, diff, share = "below range", "—", "—", "—"
    else:
        env, src = f"{g.envelope:.2f}", g.source or "—"
        diff = fmt_diff(g.estimate, 2) + ("" if math.isnan(g.lo) else
                                          f" [{fmt_diff(g.lo, 2)}, {fmt_diff(g.hi, 2)}]")
        share = "—" if math.isnan(g.frac_le_zero) else f"{g.frac_le_zero:.3f}"
    return [r.store, r.method, f"{r.accuracy:.2f}", ci, f"{r.ktokens:.1f}", env, src, diff, share]


def beyond_note() -> str:
    """What the table's envelope columns mean."""
    return ("Not in the paper. 'envelope of the others': the best accuracy any other baseline "
            f"family ({', '.join(ENVELOPE_FAMILIES)}, without the row's own) reaches at the "
            "row's tokens, each curve read linearly in log tokens between its settings and any "
            "cheaper setting counted; 'set by': the family that reaches it. Δ = row − envelope, "
            "95% bootstrap interval; resampled: " + RESAMPLED + ". Curves: short-m@k over "
            "beta 0..1 (k = round(2*32**beta), m = max(1, round(k/4))), Answer Consistency "
            "(k=10) and ST-BoN over n in {1, ..., 64}.")


def beyond_markdown(rows: Sequence[BeyondRow]) -> str:
    """The beyond-the-paper rows as a Markdown table."""
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---|" + "---:|" * (len(HEADER) - 2)]
    lines += ["| " + " | ".join(row_fields(r)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def envelope_points(rows: Sequence[dict], stores: Sequence[str]) -> list[CurvePoint]:
    """The held-out-mean envelope of every baseline family, sampled for plotting."""
    curves = {k: [(p.tokens, p.accuracy) for p in v]
              for k, v in _curves(rows, stores, ENVELOPE_FAMILIES).items()}
    return [CurvePoint(t, a, math.nan) for t, a in envelope_curve(curves)]


def beyond_figure(out: Path, rows: Sequence[dict], stores: Sequence[str]):
    """The held-out-mean figure with every curve and the envelope; returns a
    ReportFigure, or None without held-out stores."""
    from autotts.report import plots
    from autotts.report.document import ReportFigure

    held = held_out(stores)
    if not held:
        return None
    curves = {**mean_curves(rows, held), **mean_curves(rows, held, BEYOND_FAMILIES)}
    curves[ENVELOPE_LABEL] = envelope_points(rows, held)
    title = f"Beyond the paper: held-out mean over {len(held)} stores"
    fig = plots.single_figure(curves, title)
    return ReportFigure(plots.save_png(fig, out / "beyond" / "curves_held_out_beyond.png"),
                        title, "The paper's curves with short-m@k, Answer Consistency and "
                        "ST-BoN; dashed: the upper envelope of SC, ASC, ESC, Parallel-Probe, "
                        "CMC and short-m@k.")


def write_beyond(out: Path, rows: Sequence[dict], stores: Sequence[str], data, *,
                 curves: bool = True) -> dict[str, Path]:
    """Write ``beyond/beyond.md`` (and the figure when ``curves``), attach both to
    the report ``data``; returns the files written by name."""
    table = beyond_rows(rows, stores)
    if not table:
        return {}
    data.beyond_table = [row_fields(r) for r in table]
    text = ("# Beyond the paper\n\n" + beyond_note() + "\n\n" + beyond_markdown(table))
    files = {"beyond.md": write_atomic(out / "beyond" / "beyond.md", text)}
    fig = beyond_figure(out, rows, stores) if curves else None
    if fig is not None:
        data.beyond_figures.append(fig)
        files[fig.path.name] = fig.path
    return files
