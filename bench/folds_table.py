"""The fold table of ``bench/folds.py``: ``autotts verdict`` of every job kept in OUT.

Per fold and seed, each pick's mean gap (pick minus the best-baseline
envelope, averaged at 16 log-spaced levels over 100k-600k tokens) and gap at
331k, each with its 95% interval over problems; per fold and pick rule the
mean and the worst mean gap; over all jobs the mean, the worst and how many
jobs lie above zero. A failed job is a row that says so, and counts as not
above zero. The verdicts are recomputed from the kept files each time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from autotts.discovery.selection.run_verdict import run_verdict

#: What does not make a checkout's code differ: the table's own output.
NOT_CODE = ":(exclude)results/folds"


def code_version() -> str:
    """The last commit of the code (anything but results/folds, which the jobs
    commit), ``+dirty`` with uncommitted code changes; "unknown" outside git."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "log", "-1", "--format=%h", "--", ".", NOT_CODE],
                              cwd=here.parent, check=True, capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                                ".", NOT_CODE], cwd=here.parent, check=True,
                               capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty.strip() else "")


def _ci(g: dict) -> str:
    return f"{g['estimate']:+.2f} [{g['lo']:+.2f}, {g['hi']:+.2f}]"


def job_verdicts(out: Path, jobs: list[dict]) -> list[dict]:
    """Per job (fold, seed order) its entry with ``verdict`` (or ``error``) added."""
    rows = []
    for j in sorted(jobs, key=lambda j: (j["fold"], j["seed"])):
        row = dict(j)
        if j["status"] == "ok":
            try:
                row["verdict"] = run_verdict(out / j["job"])
            except Exception as exc:  # noqa: BLE001 - a broken kept run is a failed row
                row.update(status="failed", error=f"verdict: {exc}")
        rows.append(row)
    return rows


def aggregate(rows: list[dict]) -> dict:
    """Per pick rule: over all jobs and per fold, the mean and worst mean gap and
    how many jobs lie above zero (estimate > 0; interval above 0)."""
    kinds = sorted({k for r in rows for k in (r.get("verdict") or {}).get("picks", {})})
    out: dict = {}
    for kind in kinds:
        out[kind] = {"all": _stats(rows, kind)}
        for fold in sorted({r["fold"] for r in rows}):
            out[kind][fold] = _stats([r for r in rows if r["fold"] == fold], kind)
    return out


def _stats(rows: list[dict], kind: str) -> dict:
    gaps = [((r.get("verdict") or {}).get("picks", {}).get(kind) or {}).get("mean_gap")
            for r in rows]
    est = [g["estimate"] for g in gaps if g]
    return {"jobs": len(rows), "with_verdict": len(est),
            "mean": sum(est) / len(est) if est else None, "worst": min(est, default=None),
            "above_zero": sum(e > 0 for e in est),
            "interval_above_zero": sum(g["lo"] > 0 for g in gaps if g)}


def _signed(x: float | None) -> str:
    return "-" if x is None else f"{x:+.2f}"


def table_lines(rows: list[dict], agg: dict, mixed: bool) -> list[str]:
    """summary.md: the per-job rows, then per fold and over all."""
    codes = sorted({r["code"] for r in rows})
    out = ["# Every benchmark held out in turn", "",
           f"Code: {', '.join(codes) or '-'}" + (" (MIXED COMMITS, forced)" if mixed else ""),
           "", "| fold (search) | seed | pick | round | mean gap 100k-600k [95% CI] | "
           "gap at 331k [95% CI] | wall | code |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        wall = f"{r['wall_s'] / 60:.1f} min"
        if r["status"] != "ok":
            out.append(f"| {r['fold']} | {r['seed']} | - | - | FAILED: {r.get('error', '?')} "
                       f"| - | {wall} | {r['code']} |")
            continue
        for kind, p in r["verdict"]["picks"].items():
            cells = (f"{_ci(p['mean_gap'])} | {_ci(p['at_gap'])}" if "mean_gap" in p
                     else f"no verdict: {p['note']} | -")
            out.append(f"| {r['fold']} | {r['seed']} | {kind} | r{p['round']} | {cells} | "
                       f"{wall} | {r['code']} |")
    out += ["", "| pick | over | jobs | mean | worst | above 0 | interval above 0 |",
            "|---|---|---|---|---|---|---|"]
    for kind, by in agg.items():
        for over, s in by.items():
            out.append(f"| {kind} | {over} | {s['jobs']} ({s['with_verdict']} with a verdict) "
                       f"| {_signed(s['mean'])} | {_signed(s['worst'])} | {s['above_zero']} of "
                       f"{s['jobs']} | {s['interval_above_zero']} of {s['jobs']} |")
    return out


def write_summary(out: Path, jobs: list[dict], force_mixed: bool = False) -> str:
    """Write OUT/summary.md and OUT/summary.json; returns the markdown."""
    codes = {j["code"] for j in jobs}
    if len(codes) > 1 and not force_mixed:
        sys.exit(f"folds: the jobs in {out} ran at {', '.join(sorted(codes))}: one table, one "
                 "commit (--force-mixed to write it anyway)")
    rows = job_verdicts(out, jobs)
    agg = aggregate(rows)
    doc = {"codes": sorted(codes), "mixed": len(codes) > 1, "aggregate": agg,
           "jobs": [{k: v for k, v in r.items()} for r in rows]}
    (out / "summary.json").write_text(json.dumps(doc, indent=1) + "\n")
    text = "\n".join(table_lines(rows, agg, len(codes) > 1)) + "\n"
    (out / "summary.md").write_text(text)
    return text
