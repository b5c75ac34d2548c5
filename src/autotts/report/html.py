"""``report.html``: one self-contained page (figures embedded as PNG data URIs)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

from autotts.report.document import ReportData, curve_notes, intro, meta_lines
from autotts.report.tables import (
    RELEASED_MARK,
    TABLE_COLUMNS,
    Table1Cell,
    cell_fields,
    match_summary,
    seeds_caveat,
)

_STYLE = """
body { font-family: system-ui, -apple-system, Segoe UI, sans-serif; margin: 2rem auto;
       max-width: 1400px; padding: 0 1rem; color: #222; line-height: 1.45; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 0.5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.6rem; }
th { background: #f3f3f3; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.miss td { background: #fde8e8; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; color: #555; }
.small { font-size: 0.85rem; color: #555; }
"""
_TEXT_COLUMNS = {"store", "method", "paper printed", "match"}


def html_table(cells: Sequence[Table1Cell]) -> str:
    """An HTML table of ``cells`` (same strings as the Markdown table); mismatches shaded."""
    head = "".join(f"<th>{escape(c)}</th>" for c in TABLE_COLUMNS)
    body = []
    for cell in cells:
        tds = "".join(f'<td{"" if col in _TEXT_COLUMNS else " class=num"}>{escape(v)}</td>'
                      for col, v in zip(TABLE_COLUMNS, cell_fields(cell)))
        cls = ' class="miss"' if cell.matches is False else ""
        body.append(f"<tr{cls}>{tds}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _figure(fig) -> str:
    data = base64.b64encode(fig.path.read_bytes()).decode("ascii")
    return (f"<figure><img alt=\"{escape(fig.title)}\" src=\"data:image/png;base64,{data}\">"
            f"<figcaption><b>{escape(fig.title)}.</b> {escape(fig.caption)}</figcaption></figure>")


def _beyond_html(data: ReportData) -> list[str]:
    """The beyond-the-paper section: its note, table and figure."""
    from autotts.report.beyond import HEADER, beyond_note

    head = "".join(f"<th>{escape(c)}</th>" for c in HEADER)
    body = "".join("<tr>" + "".join(f'<td{"" if j < 2 or j == 6 else " class=num"}>'
                                    f"{escape(v)}</td>" for j, v in enumerate(r)) + "</tr>"
                   for r in data.beyond_table)
    return (["<h2>Beyond the paper (not part of Table 1)</h2>",
             f"<p class=small>{escape(beyond_note())}</p>",
             f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"]
            + [_figure(f) for f in data.beyond_figures])


def report_html(data: ReportData) -> str:
    """The whole page as a string."""
    parts = ["<!doctype html><html lang=en><head><meta charset=utf-8>",
             "<title>AutoTTS: Table 1 reproduction</title>",
             f"<style>{_STYLE}</style></head><body>",
             "<h1>AutoTTS: Table 1 reproduction</h1>", f"<p>{escape(intro(data))}</p>",
             f"<p><b>{escape(match_summary(data.cells))}</b></p>"]
    if seeds_caveat(data.seeds):
        parts.append(f"<p>{escape(seeds_caveat(data.seeds))}</p>")
    if data.means:
        parts += ["<h2>Held-out mean (aime25 + hmmt25)</h2>", html_table(data.means)]
    if data.figures:
        parts.append("<h2>Scaling curves</h2>")
        parts += [_figure(f) for f in data.figures]
        parts.append("<ul class=small>" + "".join(f"<li>{escape(n)}</li>" for n in curve_notes())
                     + "</ul>")
    if data.interactive:
        parts += ["<h2>Interactive scaling curves</h2>", data.interactive]
    parts += ["<h2>Every store</h2>", html_table(data.cells),
              f"<p class=small>{RELEASED_MARK} target = the authors' released code, which "
              "differs from the printed paper in 7 cells (REPLAY_PROTOCOL.md section 6); the "
              "paper's printed value is in the 'paper printed' column. 95% CI: bootstrap over "
              "questions (seeds averaged per question). Shaded rows miss their target.</p>"]
    if data.beyond_table:
        parts += _beyond_html(data)
    lines = meta_lines(data)
    if lines:
        parts += ["<h2>Provenance</h2><ul class=small>",
                  "".join(f"<li>{escape(line)}</li>" for line in lines), "</ul>"]
    parts.append("</body></html>\n")
    return "\n".join(parts)
