"""``report.md``: the reproduction report as Markdown, figures linked beside it."""

from __future__ import annotations

import os
from pathlib import Path

from autotts.report.document import ReportData, curve_notes, intro, meta_lines
from autotts.report.tables import (
    RELEASED_MARK,
    markdown_table,
    match_summary,
    seeds_caveat,
)


def report_markdown(data: ReportData, base: str | os.PathLike[str]) -> str:
    """The report text; figure links are relative to ``base`` (the report's folder)."""
    parts = ["# AutoTTS: Table 1 reproduction\n", intro(data) + "\n",
             match_summary(data.cells) + "\n"]
    if seeds_caveat(data.seeds):
        parts.append(seeds_caveat(data.seeds) + "\n")
    if data.means:
        parts += ["## Held-out mean (aime25 + hmmt25)\n", markdown_table(data.means)]
    if data.figures:
        parts.append("## Scaling curves\n")
        for fig in data.figures:
            rel = os.path.relpath(Path(fig.path), Path(base)).replace(os.sep, "/")
            parts.append(f"### {fig.title}\n\n![{fig.title}]({rel})\n\n{fig.caption}\n")
        parts.append("\n".join(f"- {n}" for n in curve_notes()) + "\n")
    parts += ["## Every store\n", markdown_table(data.cells),
              f"\n{RELEASED_MARK} target = the authors' released code, which differs from the "
              "printed paper in 7 cells (REPLAY_PROTOCOL.md section 6); the paper's printed "
              "value is in the 'paper printed' column. 95% CI: bootstrap over questions "
              "(seeds averaged per question). match: within 0.05 of the target in both "
              "accuracy and thousands of tokens.\n"]
    if data.beyond_table:
        from autotts.report.beyond import HEADER, beyond_note

        parts += ["## Beyond the paper (not part of Table 1)\n", beyond_note() + "\n",
                  "| " + " | ".join(HEADER) + " |\n|---|---|" + "---:|" * (len(HEADER) - 2)
                  + "\n" + "\n".join("| " + " | ".join(r) + " |" for r in data.beyond_table)
                  + "\n"]
        for fig in data.beyond_figures:
            rel = os.path.relpath(Path(fig.path), Path(base)).replace(os.sep, "/")
            parts.append(f"### {fig.title}\n\n![{fig.title}]({rel})\n\n{fig.caption}\n")
    lines = meta_lines(data)
    if lines:
        parts += ["## Provenance\n", "\n".join(f"- {line}" for line in lines) + "\n"]
    return "\n".join(parts)
