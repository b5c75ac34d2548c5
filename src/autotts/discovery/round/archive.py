"""A round's archive: diff, curves, traces, summary and the agent-visible copy."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from autotts.discovery.sandbox.evaluate import CellResult
from autotts.discovery.workspace.agent_files import curves_csv
from autotts.fileio import write_atomic

TRACE_ROWS_CAP = 200


def diff_text(parent_source: str, source: str, parent_name: str) -> str:
    """The unified diff from the parent's source to the candidate's, as text."""
    return "".join(difflib.unified_diff(parent_source.splitlines(True), source.splitlines(True),
                                        fromfile=parent_name, tofile="candidate.py"))


def cell_rows(cells: list[CellResult], label: str) -> list[dict]:
    """One row dict per evaluated cell, labelled with controller ``label``."""
    return [{"store": c.store, "controller": label, "params": c.params, "accuracy": c.accuracy,
             "tokens": c.tokens, "opened": c.opened} for c in cells]


def write_traces(path: Path, traces: list[dict]) -> None:
    """Write up to TRACE_ROWS_CAP traces to ``path`` as JSON lines, atomically."""
    lines = [json.dumps(t, separators=(",", ":")) for t in traces[:TRACE_ROWS_CAP]]
    write_atomic(path, "\n".join(lines) + ("\n" if lines else ""))


def summary_text(n: int, st: dict, cells: list[CellResult] | None, diff: str,
                 baselines: list[dict]) -> str:
    """A short round summary: what changed, numbers against the baselines, failures."""
    added = sum(1 for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++"))
    removed = sum(1 for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---"))
    out = [f"# Round {n} ({st.get('origin', 'proposer')}): {st.get('status')}", "",
           f"Class `{st.get('class_name') or '?'}` ({st.get('api') or '?'} API); "
           f"+{added} / -{removed} lines against {st.get('parent_name') or 'the template'}.", ""]
    if st.get("error"):
        out += ["## Failure", "", "```", st["error"].strip()[:3000], "```", ""]
    if cells:
        kind = ("SCREENED: a few seeds only, re-run in full only if picked"
                if st.get("screened") else "full")
        out += ["## Search split", "", f"Seeds: {st.get('seeds', '?')} ({kind}).", "",
                "| store | setting | accuracy | tokens | branches |", "|---|---|---|---|---|"]
        out += [f"| {c.store} | {_fmt(c.params)} | {c.accuracy:.2f} | {c.tokens / 1e3:.1f}k | "
                f"{c.opened:.1f} |" for c in cells]
        out += ["", "## Seed baselines (same stores)", "",
                "| store | baseline | accuracy | tokens |", "|---|---|---|---|"]
        stores = {c.store for c in cells}
        for b in baselines:
            if b["store"] in stores and b.get("headline"):
                out.append(f"| {b['store']} | {b['controller']} {_fmt(b['params'])} | "
                           f"{b['accuracy']:.2f} | {b['tokens'] / 1e3:.1f}k |")
    score = st.get("score") or {}
    if score:
        out += ["", f"Best mean search accuracy {score.get('best_accuracy', 0):.2f} at "
                    f"{score.get('best_tokens', 0) / 1e3:.1f}k tokens "
                    f"({_fmt(score.get('best_params', {}))}); "
                    f"frontier area {score.get('area', 0):.2f}."]
    return "\n".join(out) + "\n"


def _fmt(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items())


def write_round_files(rdir: Path, st: dict, cells: list[CellResult] | None, traces: list[dict],
                      diff: str, baselines: list[dict], label: str) -> None:
    """Everything a finished round leaves behind (the state file is written by the caller)."""
    write_atomic(rdir / "diff.patch", diff)
    if cells:
        write_atomic(rdir / "curves.csv", curves_csv(cell_rows(cells, label)))
        write_traces(rdir / "traces.jsonl", traces)
        try:
            from autotts.report.discovery_plots import round_plot
            round_plot(rdir / "curves.png", cells, baselines, title=f"round {st['round']}")
        except ImportError:  # matplotlib is optional ([plot] extra)
            pass
    if st.get("error"):
        write_atomic(rdir / "error.txt", st["error"] + "\n")
    write_atomic(rdir / "summary.md", summary_text(st["round"], st, cells, diff, baselines))
