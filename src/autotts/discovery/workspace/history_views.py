"""Derived, agent-visible views of a finished round for ``workspace/history``.

Built from the round's graded ``results.json`` (never from a store), so they
carry no gold answer: per-question correct rates over the seeds, the mean
curve over the search stores, and traces annotated with how often their
question was answered correctly at that setting.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict


def _params_key(params: dict) -> str:
    return ";".join(f"{k}={v}" for k, v in params.items())


def questions_csv(cells: list[dict]) -> str:
    """CSV ``store, params, question, correct_rate`` (fraction of seeds correct)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["store", "params", "question", "correct_rate"])
    for c in cells:
        for q, rate in enumerate(c.get("question_correct_rate") or []):
            w.writerow([c["store"], _params_key(c["params"]), q, f"{rate:.3f}"])
    return buf.getvalue()


def mean_curve(cells: list[dict]) -> list[tuple[str, float, float]]:
    """``(params, mean accuracy, mean tokens)`` over stores, one per setting, grid order."""
    acc: dict[str, list[float]] = defaultdict(list)
    tok: dict[str, list[float]] = defaultdict(list)
    for c in cells:
        key = _params_key(c["params"])
        acc[key].append(c["accuracy"])
        tok[key].append(c["tokens"])
    return [(k, sum(acc[k]) / len(acc[k]), sum(tok[k]) / len(tok[k])) for k in acc]


def curve_line(cells: list[dict]) -> str:
    """One line ``params: acc% @ tokens`` per setting, for INDEX.md."""
    def label(k: str) -> str:
        return k.split("=")[-1] if k.startswith("beta=") else k
    return "; ".join(f"{label(k)}: {a:.1f}% @ {t / 1e3:.0f}k" for k, a, t in mean_curve(cells))


def annotate_traces(trace_text: str, cells: list[dict]) -> str:
    """Trace lines with ``question_correct_rate`` (over all seeds, same store and setting)."""
    rates = {(c["store"], _params_key(c["params"])): c.get("question_correct_rate") or []
             for c in cells}
    out = []
    for line in trace_text.splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        qs = rates.get((row.get("store"), _params_key(row.get("params") or {})), [])
        q = row.get("question")
        if isinstance(q, int) and 0 <= q < len(qs):
            row = {**row, "question_correct_rate": round(qs[q], 3)}
        out.append(json.dumps(row, separators=(",", ":")))
    return "\n".join(out) + ("\n" if out else "")
