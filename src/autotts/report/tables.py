"""Table 1 from sweep rows: ours beside the paper's printed values, with differences.

A Table-1 cell is found among the rows by controller label and parameters
(see :data:`TABLE1_LOOKUP`). Where the authors' released code gives another
value than the paper printed (REPLAY_PROTOCOL.md section 6) the target is the
released code's value and the cell is marked with a dagger.

Precision as printed: our accuracy to 2 decimals (the reference rounds so),
tokens to 0.1k; a cell *matches* when both are within 0.05 of the target.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from autotts.data.catalog import HELD_OUT_SPLIT
from autotts.evaluation.reference import PAPER_TABLE1, RELEASED_CODE, TABLE1_METHODS
from autotts.evaluation.stats import accuracy_interval

#: Table-1 method -> (controller label in the reproduce sweep, parameters).
TABLE1_LOOKUP: dict[str, tuple[str, dict]] = {
    "SC@64": ("SC", TABLE1_METHODS["SC@64"].params),
    "ASC": ("ASC", TABLE1_METHODS["ASC"].params),
    "ESC": ("ESC", TABLE1_METHODS["ESC"].params),
    "Parallel-Probe": ("Parallel-Probe", TABLE1_METHODS["Parallel-Probe"].params),
    "CMC beta=0.5": ("CMC", TABLE1_METHODS["CMC beta=0.5"].params),
    "CMC beta=1.0": ("CMC", TABLE1_METHODS["CMC beta=1.0"].params),
}
MATCH_TOLERANCE = 0.05
PAPER_SEEDS = 100
RELEASED_MARK = "†"


@dataclass(frozen=True)
class Table1Cell:
    """Ours vs target for one (store, method); ``store`` may name a mean row.

    Accuracy in percent, tokens in thousands per question. ``paper`` and
    ``target`` are (accuracy, ktokens); ``released`` marks released-code targets.
    """

    store: str
    method: str
    accuracy: float
    ktokens: float
    ci95: tuple[float, float]
    accuracy_std: float | None
    paper: tuple[float, float] | None
    target: tuple[float, float] | None
    released: bool

    @property
    def diff(self) -> tuple[float, float] | None:
        """(accuracy, ktokens) differences, ours minus target; None without a target."""
        if self.target is None:
            return None
        return self.accuracy - self.target[0], self.ktokens - self.target[1]

    @property
    def matches(self) -> bool | None:
        """Whether both differences are within printed precision; None without a target."""
        d = self.diff
        if d is None:
            return None
        return all(abs(x) <= MATCH_TOLERANCE + 1e-9 for x in d)


def find_row(rows: Sequence[dict], store: str, label: str, params: dict) -> dict | None:
    """The row of ``store`` with this controller label and parameters, or None."""
    for row in rows:
        if row["env"] == store and row["controller"] == label and row["params"] == params:
            return row
    return None


def table1_cells(rows: Sequence[dict], stores: Sequence[str]) -> list[Table1Cell]:
    """One cell per (store, Table-1 method) found in ``rows``, store-major order."""
    cells = []
    for store in stores:
        for method, (label, params) in TABLE1_LOOKUP.items():
            row = find_row(rows, store, label, params)
            if row is None:
                continue
            key = (store, method)
            target = RELEASED_CODE.get(key, PAPER_TABLE1.get(key))
            cells.append(Table1Cell(
                store=store, method=method, accuracy=row["accuracy"],
                ktokens=row["tokens"] / 1000, ci95=(row["ci95_low"], row["ci95_high"]),
                accuracy_std=row.get("accuracy_std"), paper=PAPER_TABLE1.get(key),
                target=target, released=key in RELEASED_CODE))
    return cells


def held_out_means(rows: Sequence[dict], stores: Sequence[str]) -> list[Table1Cell]:
    """Per method, the mean over the held-out stores among ``stores`` (two or more; as the
    paper's held-out mean: cells averaged); the paper and target means are
    taken over the same stores. The interval is a bootstrap over questions,
    stratified by store, when the rows carry per-question rates."""
    held = [s for s in stores if s in HELD_OUT_SPLIT]
    out = []
    for method, (label, params) in TABLE1_LOOKUP.items():
        found = [find_row(rows, s, label, params) for s in held]
        if len(held) < 2 or any(r is None for r in found):  # one store is its own mean
            continue
        keys = [(s, method) for s in held]
        rates = [r.get("question_correct_rate") for r in found]
        if all(rates):
            iv = accuracy_interval(rates)
            ci = (iv.lo, iv.hi)
        else:
            ci = (math.nan, math.nan)
        out.append(Table1Cell(
            store=f"held-out mean ({len(held)} stores)", method=method,
            accuracy=_mean(r["accuracy"] for r in found),
            ktokens=_mean(r["tokens"] for r in found) / 1000, ci95=ci, accuracy_std=None,
            paper=_mean_pair(PAPER_TABLE1.get(k) for k in keys),
            target=_mean_pair(RELEASED_CODE.get(k, PAPER_TABLE1.get(k)) for k in keys),
            released=any(k in RELEASED_CODE for k in keys)))
    return out


def _mean(values) -> float:
    vals = list(values)
    return sum(vals) / len(vals)


def _mean_pair(pairs) -> tuple[float, float] | None:
    pairs = list(pairs)
    if not pairs or any(p is None for p in pairs):
        return None
    return _mean(p[0] for p in pairs), _mean(p[1] for p in pairs)


# ---- formatting: one set of functions, used by Markdown, CSV and HTML alike ----

def fmt_acc(x: float) -> str:
    """An accuracy with two decimals."""
    return f"{x:.2f}"


def fmt_ktok(x: float) -> str:
    """Thousands of tokens with one decimal."""
    return f"{x:.1f}"


def fmt_diff(x: float, digits: int) -> str:
    # round first so that -0.001 prints as +0.00, not -0.00
    """A signed difference with ``digits`` decimals (never ``-0.00``)."""
    return f"{round(x, digits) + 0.0:+.{digits}f}"


TABLE_COLUMNS = ("store", "method", "accuracy %", "95% CI", "tokens (k)", "target acc",
                 "target tok (k)", "Δ acc", "Δ tok (k)", "paper printed", "match")


def cell_fields(c: Table1Cell) -> list[str]:
    """Display strings of a cell, in :data:`TABLE_COLUMNS` order."""
    mark = f" {RELEASED_MARK}" if c.released else ""
    ci = "n/a" if math.isnan(c.ci95[0]) else f"{c.ci95[0]:.1f}–{c.ci95[1]:.1f}"
    tgt_acc = f"{c.target[0]:.1f}{mark}" if c.target else "—"
    tgt_tok = f"{c.target[1]:.1f}{mark}" if c.target else "—"
    d = c.diff
    paper = f"{c.paper[0]:.1f} / {c.paper[1]:.1f}k" if c.paper else "—"
    match = "—" if c.matches is None else ("✓" if c.matches else "✗")
    return [c.store, c.method, fmt_acc(c.accuracy), ci, fmt_ktok(c.ktokens), tgt_acc, tgt_tok,
            fmt_diff(d[0], 2) if d else "—", fmt_diff(d[1], 1) if d else "—", paper, match]


def markdown_table(cells: Sequence[Table1Cell]) -> str:
    """A GitHub Markdown table of ``cells``; returns the text."""
    align = ["---", "---"] + ["---:"] * 8 + [":---:"]
    lines = ["| " + " | ".join(TABLE_COLUMNS) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(cell_fields(c)) + " |" for c in cells]
    return "\n".join(lines) + "\n"


def match_summary(cells: Sequence[Table1Cell]) -> str:
    """One sentence: how many cells match their target at printed precision."""
    judged = [c for c in cells if c.matches is not None]
    hits = sum(bool(c.matches) for c in judged)
    released = sum(c.released for c in judged)
    return (f"{hits} of {len(judged)} cells match their target at printed precision "
            f"(within {MATCH_TOLERANCE} in accuracy and in thousands of tokens); "
            f"{released} targets are the authors' released-code values ({RELEASED_MARK}), "
            f"the paper's printed value is shown beside them.")


def seeds_caveat(seeds: int) -> str:
    """A warning when the run used other than the paper's 100 seeds, else ''."""
    if seeds == PAPER_SEEDS:
        return ""
    return (f"Note: this run used {seeds} seeds; the targets are 100-seed means, so "
            "differences beyond printed precision are expected.")


def table1_markdown(cells: Sequence[Table1Cell], means: Sequence[Table1Cell], seeds: int) -> str:
    """The whole ``table1.md``: summary, held-out means, then every cell."""
    parts = [f"# Table 1 reproduction ({seeds} seeds)\n", match_summary(cells) + "\n"]
    if seeds_caveat(seeds):
        parts.append(seeds_caveat(seeds) + "\n")
    if means:
        parts += ["## Held-out mean (aime25 + hmmt25)\n", markdown_table(means)]
    parts += ["## Every store\n", markdown_table(cells)]
    parts.append(f"\n{RELEASED_MARK} target = the authors' released code "
                 "(REPLAY_PROTOCOL.md section 6); Δ = ours − target. 95% CI: bootstrap over "
                 "questions (seeds averaged per question).\n")
    return "\n".join(parts)


CSV_COLUMNS = ("store", "method", "accuracy", "ci95_low", "ci95_high", "accuracy_std",
               "tokens_k", "target_accuracy", "target_tokens_k", "target_source",
               "diff_accuracy", "diff_tokens_k", "paper_accuracy", "paper_tokens_k", "match")


def csv_rows(cells: Sequence[Table1Cell]) -> list[dict]:
    """Rows for ``table1.csv`` (unrounded numbers), in :data:`CSV_COLUMNS` order."""
    out = []
    for c in cells:
        d = c.diff or (None, None)
        out.append({
            "store": c.store, "method": c.method, "accuracy": c.accuracy,
            "ci95_low": c.ci95[0], "ci95_high": c.ci95[1], "accuracy_std": c.accuracy_std,
            "tokens_k": c.ktokens,
            "target_accuracy": c.target[0] if c.target else None,
            "target_tokens_k": c.target[1] if c.target else None,
            "target_source": ("released code" if c.released else "paper") if c.target else "",
            "diff_accuracy": d[0], "diff_tokens_k": d[1],
            "paper_accuracy": c.paper[0] if c.paper else None,
            "paper_tokens_k": c.paper[1] if c.paper else None,
            "match": c.matches})
    return out
