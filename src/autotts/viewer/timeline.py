"""Execution traces as a readable timeline.

A trace (see autotts.evaluation.traces) is a list of compact events:
``open``, ``step``, ``read``, ``probe``, ``prune`` and ``note``. Per traced
question the page shows what happened in order, with runs of the same action
folded into one line ("events 1-16: opened b0-b15"), a table of branches
(opened at, steps, last answer, finished or pruned) and why it stopped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape

VERBS = {"open": "opened", "step": "stepped", "read": "read to the end", "probe": "probed",
         "prune": "pruned"}


@dataclass
class Branch:
    """What one branch went through."""

    opened_at: int
    steps: int = 0
    answer: str | None = None
    finished: bool = False
    pruned_at: int | None = None


@dataclass
class QuestionTrace:
    """One traced question, digested: branches, folded event runs and the stop."""

    branches: dict[int, Branch] = field(default_factory=dict)
    runs: list[tuple[int, int, str, list]] = field(default_factory=list)  # first, last, kind, ids
    notes: list[tuple[int, str]] = field(default_factory=list)


def _apply(q: QuestionTrace, k: int, ev: list) -> None:
    kind = ev[0]
    if kind == "note":
        q.notes.append((k, str(ev[1])))
        return
    i = ev[1]
    b = q.branches.setdefault(i, Branch(opened_at=k))
    if kind in ("open", "step"):
        b.steps += 1
        b.answer, b.finished = ev[2], bool(ev[3])
    elif kind == "read":
        b.answer, b.finished = ev[2], True
    elif kind == "prune":
        b.pruned_at = k


def digest(events: list[list]) -> QuestionTrace:
    """Fold ``events`` into branches and runs of consecutive same-kind events."""
    q = QuestionTrace()
    for k, ev in enumerate(events, start=1):
        _apply(q, k, ev)
        if ev[0] == "note":
            continue
        last = q.runs[-1] if q.runs else None
        if last and last[2] == ev[0] and last[1] == k - 1:
            q.runs[-1] = (last[0], k, ev[0], last[3] + [ev[1]])
        else:
            q.runs.append((k, k, ev[0], [ev[1]]))
    return q


def _ids(ids: list) -> str:
    """Branch ids, compressed: [0, 1, 2, 5] -> 'b0-b2, b5' (repeats kept in order of first use)."""
    uniq = list(dict.fromkeys(ids))
    parts, start = [], None
    for j, i in enumerate(uniq):
        if start is None:
            start = i
        nxt = uniq[j + 1] if j + 1 < len(uniq) else None
        if nxt != i + 1:
            parts.append(f"b{start}" if start == i else f"b{start}-b{i}")
            start = None
    times = f" ({len(ids)} times)" if len(ids) != len(uniq) else ""
    return ", ".join(parts) + times


def stop_reason(q: QuestionTrace, row: dict) -> str:
    """Why the controller stopped, as far as the trace tells."""
    if row.get("truncated"):
        return f"unknown: the trace was cut after {len(row.get('events') or [])} events"
    running = [i for i, b in q.branches.items() if not b.finished and b.pruned_at is None]
    done = sum(b.finished for b in q.branches.values())
    pruned = sum(b.pruned_at is not None for b in q.branches.values())
    if not running:
        return (f"every opened branch had finished ({done}) or been pruned ({pruned}); "
                f"it answered {_answer(row.get('answer'))}")
    return (f"the controller stopped with {len(running)} branch(es) still running "
            f"({done} finished, {pruned} pruned) and answered {_answer(row.get('answer'))}")


def _answer(a) -> str:
    return "nothing" if a is None else f"'{a}'"


def _runs_html(q: QuestionTrace) -> str:
    items = [(k, f"<li class=note>event {k}: note {escape(text)}</li>") for k, text in q.notes]
    for first, last, kind, ids in q.runs:
        span = f"event {first}" if first == last else f"events {first}-{last}"
        text = f"{span}: {VERBS.get(kind, kind)} {_ids(ids)}"
        items.append((first, f"<li class=ev-{kind}>{escape(text)}</li>"))
    return "<ol class=timeline>" + "".join(h for _, h in sorted(items, key=lambda x: x[0])) \
        + "</ol>"


def _branches_html(q: QuestionTrace) -> str:
    rows = []
    for i, b in sorted(q.branches.items()):
        end = (f"pruned at event {b.pruned_at}" if b.pruned_at is not None
               else "finished" if b.finished else "still running at the stop")
        rows.append(f"<tr><td>b{i}</td><td class=num>{b.opened_at}</td><td class=num>{b.steps}"
                    f"</td><td>{escape(str(b.answer))}</td><td>{end}</td></tr>")
    return ("<table class=branches><thead><tr><th>branch</th><th>opened at event</th>"
            "<th>steps</th><th>last answer</th><th>end</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def question_html(row: dict) -> str:
    """One traced question as a collapsible block: summary line, timeline, branch table."""
    q = digest(row.get("events") or [])
    pruned = sum(b.pruned_at is not None for b in q.branches.values())
    head = (f"question {row.get('question')} (seed {row.get('seed')}): {row.get('opened')} "
            f"branches opened, {pruned} pruned, {row.get('cost', 0) / 1e3:.1f}k tokens, "
            f"answer {_answer(row.get('answer'))}")
    return (f"<details class=trace><summary>{escape(head)}</summary>"
            f"<p><b>Stopped:</b> {escape(stop_reason(q, row))}.</p>"
            f"{_runs_html(q)}{_branches_html(q)}</details>")


def traces_html(traces: list[dict]) -> str:
    """All traces of a round, grouped by store and setting."""
    if not traces:
        return "<p class=small>No traces archived for this round.</p>"
    groups: dict[tuple[str, str], list[dict]] = {}
    for t in traces:
        groups.setdefault((t.get("store", "?"), json.dumps(t.get("params", {}))), []).append(t)
    out = []
    for (store, params), rows in sorted(groups.items(), key=lambda g: g[0]):
        label = ", ".join(f"{k}={v}" for k, v in json.loads(params).items())
        out.append(f"<h4>{escape(store)} at {escape(label)}</h4>")
        out += [question_html(r) for r in rows]
    return "".join(out)
