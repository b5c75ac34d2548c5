"""The page's last section: the picks and every held-out number, shown only
once the run has made its selection (``final/selection.json``)."""

from __future__ import annotations

from html import escape

from autotts.viewer import charts
from autotts.viewer.rundata import RunData


def search_score(st: dict) -> tuple[dict, str]:
    """The round's search score and what it rests on (its full re-run when there is one)."""
    full = st.get("full") or {}
    if full.get("status") == "ok":
        return full["score"], f"{full['seeds']} seeds, full"
    return st.get("score") or {}, f"{st.get('seeds', '?')} seeds, " + (
        "screened" if st.get("screened") else "full")


def _held_at(doc: dict, params: dict) -> tuple[float, float] | None:
    """Mean (accuracy, tokens) over held-out stores of the cells at ``params``."""
    cells = [c for c in doc.get("cells") or [] if c["params"] == params]
    if not cells:
        return None
    return (sum(c["accuracy"] for c in cells) / len(cells),
            sum(c["tokens"] for c in cells) / len(cells))


def top_rows(data: RunData) -> list[dict]:
    """Per ok round with held-out numbers: its top setting on search and on held-out."""
    rows = []
    for rd in data.rounds:
        doc = data.held_out.get(rd.n)
        score, basis = search_score(rd.state)
        held = _held_at(doc, score.get("top_params")) if doc and score else None
        if rd.state.get("status") == "ok" and held:
            rows.append({"round": rd.n, "search": score["top_accuracy"], "basis": basis,
                         "held_out": held[0], "held_out_tokens": held[1],
                         "params": score["top_params"]})
    return rows


def _table(rows: list[dict]) -> str:
    body = "".join(
        f"<tr data-round={r['round']} class=round-link><td>r{r['round']:04d}</td>"
        f"<td>{escape(', '.join(f'{k}={v}' for k, v in r['params'].items()))}</td>"
        f"<td class=num>{r['search']:.2f}</td><td>{escape(r['basis'])}</td>"
        f"<td class=num>{r['held_out']:.2f}</td>"
        f"<td class=num>{r['held_out_tokens'] / 1e3:.1f}k</td></tr>" for r in rows)
    return ("<table><thead><tr><th>round</th><th>top setting</th><th>search acc (%)</th>"
            "<th>search numbers</th><th>held-out acc (%)</th><th>held-out tokens</th></tr>"
            f"</thead><tbody>{body}</tbody></table>")


def final_html(data: RunData) -> str:
    """The selection and held-out section ('' before selection)."""
    sel = data.selection
    if sel is None:
        return ("<section id=final><h2>Selection and held-out</h2><p class=small>Not yet: "
                "held-out numbers appear here once the run has picked its controllers.</p>"
                "</section>")
    picks = sel.get("picks", {})
    items = "".join(f"<li>by {escape(k)}: " + (f"<a href='#r{n}' class=round-link "
                                                 f"data-round={n}>round {n}</a>" if n else "none")
                    + "</li>" for k, n in picks.items())
    parts = ["<section id=final><h2>Selection and held-out</h2>",
             f"<ul>{items}</ul>"]
    picked = sorted({n for n in picks.values() if n and n in data.held_out})
    curves = [(n, data.held_out[n].get("cells") or []) for n in picked]
    if data.held_out_stores and (curves or data.held_out_baselines):
        fig = charts.curves_figure(data.held_out_baselines, curves, data.held_out_stores,
                                   "Held-out: the picks' whole grids against the baselines")
        parts.append(charts.figure_html(fig, "heldout-curves"))
    rows = top_rows(data)
    if rows:
        parts += [charts.figure_html(charts.figure4(rows), "figure4"), _table(rows)]
    errors = sel.get("held_out_errors") or {}
    parts += [f"<pre class=error>round {escape(str(n))}: {escape(e)}</pre>"
              for n, e in errors.items()]
    parts.append("<p class=small>The full verdict (bootstrap intervals, Table-1 rows) is in "
                 "<code>report.md</code>.</p></section>")
    return "\n".join(parts)
