"""The fold table of ``bench/folds.py``: ``autotts verdict`` of every job kept in OUT.

Per fold and seed, each pick's mean gap (pick minus the best-baseline
envelope, averaged at 16 log-spaced levels over 100k-600k tokens) and gap at
331k, each with its 95% interval over problems. The headline, per fold and
over all jobs, is the *primary* pick's (a job's verdict is its primary
pick's, issue 30), the other pick beside it: the mean with a 95% interval
from a joint bootstrap over problems (each dataset's problems drawn once per
resample, the same draw for every job and store using that dataset), the
worst, how many jobs lie above zero, and the mean gap at 331k with its
interval; then the same per pick rule, and issue 30's targets checked
against the numbers (bench/folds_targets.py). A failed job is a row that
says so, and counts as not above zero. The verdicts are recomputed from the
kept files each time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from autotts.discovery.selection.picks import selection_primary
from autotts.discovery.selection.run_verdict import run_gap_vectors, run_verdict
from autotts.evaluation.verdict_joint import SharedDraws, mean_gap_of

sys.path.insert(0, str(Path(__file__).resolve().parent))
from folds_targets import target_lines  # noqa: E402

#: The joint bootstrap of the means (fold and all-jobs): resamples and seed.
JOINT_RESAMPLES = 2000
JOINT_SEED = 0
JOINT_NOTE = (f"The primary pick is the run's (selection.json's \"primary\": the fitness pick "
              "when the proposer has a fitness rule, else the accuracy pick); the other pick "
              "is beside it. Intervals of the means: 95% percentile bootstrap, "
              f"{JOINT_RESAMPLES:,} resamples (seed {JOINT_SEED}) of problems, each dataset's "
              "problems drawn once per resample and the same draw applied to every job and "
              "store using that dataset (the folds' held-out sets overlap). A job's own "
              "interval is its verdict's (10,000 resamples of its own).")

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


def _ci(g: dict | None) -> str:
    return "-" if not g else f"{g['estimate']:+.2f} [{g['lo']:+.2f}, {g['hi']:+.2f}]"


def job_verdicts(out: Path, jobs: list[dict], shared: SharedDraws | None = None) -> list[dict]:
    """Per job (fold, seed order) its entry with ``verdict`` (or ``error``) added,
    and with ``shared`` its picks' resampled gaps under those draws
    (``vectors``: in memory only, for the intervals of the means)."""
    rows = []
    for j in sorted(jobs, key=lambda j: (j["fold"], j["seed"])):
        row = dict(j)
        if j["status"] == "ok":
            try:
                row["verdict"] = run_verdict(out / j["job"])
                if shared is not None:
                    row["vectors"] = run_gap_vectors(out / j["job"], shared)
            except Exception as exc:  # noqa: BLE001 - a broken kept run is a failed row
                row.pop("verdict", None)
                row.update(status="failed", error=f"verdict: {exc}")
        rows.append(row)
    return rows


def primary_of(row: dict) -> str | None:
    """The job's primary pick (its verdict's), derived for an older verdict."""
    v = row.get("verdict") or {}
    if not v:
        return None
    return v.get("primary") or selection_primary(
        {"picks": {k: p.get("round") for k, p in v.get("picks", {}).items()}})


def other_of(row: dict) -> str | None:
    """The job's pick reported beside the primary one."""
    primary = primary_of(row)
    return next((k for k in (row.get("verdict") or {}).get("picks", {}) if k != primary), None)


def aggregate(rows: list[dict]) -> dict:
    """Over all jobs and per fold: the primary pick's stats, the other pick's,
    and per pick rule ("rules") the same; each with the mean, its joint
    interval when the rows carry ``vectors``, the worst and how many jobs lie
    above zero (estimate > 0; interval above 0)."""
    kinds = sorted({k for r in rows for k in (r.get("verdict") or {}).get("picks", {})})
    folds = sorted({r["fold"] for r in rows})

    def by_over(pick_of) -> dict:
        out = {"all": _stats(rows, pick_of)}
        out.update({f: _stats([r for r in rows if r["fold"] == f], pick_of) for f in folds})
        return out

    return {"primary": by_over(primary_of), "other": by_over(other_of),
            "rules": {kind: by_over(lambda _r, k=kind: k) for kind in kinds}}


def _stats(rows: list[dict], pick_of) -> dict:
    got = []  # (kind, pick entry, vectors or None) of jobs whose pick has a verdict
    for r in rows:
        kind = pick_of(r)
        p = ((r.get("verdict") or {}).get("picks", {}).get(kind) or {}) if kind else {}
        if "mean_gap" in p:
            got.append((kind, p, (r.get("vectors") or {}).get(kind)))
    est = [p["mean_gap"]["estimate"] for _, p, _ in got]
    at = [p["at_gap"]["estimate"] for _, p, _ in got]
    out = {"jobs": len(rows), "with_verdict": len(est),
           "kinds": dict(Counter(k for k, _, _ in got)),
           "mean": sum(est) / len(est) if est else None, "worst": min(est, default=None),
           "above_zero": sum(e > 0 for e in est),
           "interval_above_zero": sum(p["mean_gap"]["lo"] > 0 for _, p, _ in got),
           "at_mean": sum(at) / len(at) if at else None, "mean_ci": None, "at_mean_ci": None}
    vecs = [v for _, _, v in got if v is not None]
    if vecs and len(vecs) == len(got):  # the joint interval needs every job's resamples
        out["mean_ci"] = asdict(mean_gap_of([v[0] for v in vecs]))
        out["at_mean_ci"] = asdict(mean_gap_of([v[1] for v in vecs]))
    return out


def _signed(x: float | None) -> str:
    return "-" if x is None else f"{x:+.2f}"


def _kinds(s: dict) -> str:
    return ", ".join(k if len(s["kinds"]) == 1 else f"{k} {n}"
                     for k, n in sorted(s["kinds"].items())) or "-"


def job_lines(rows: list[dict]) -> list[str]:
    """The per-job rows, the primary pick marked."""
    out = ["| fold (search) | seed | pick | round | mean gap 100k-600k [95% CI] | "
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
            name = f"{kind} (primary)" if kind == primary_of(r) else kind
            out.append(f"| {r['fold']} | {r['seed']} | {name} | r{p['round']} | {cells} | "
                       f"{wall} | {r['code']} |")
    return out


def headline_lines(agg: dict) -> list[str]:
    """Per fold and over all: the primary pick, the other pick beside it."""
    out = ["| over | jobs | primary pick | mean gap [95% CI] | worst | above 0 | "
           "interval above 0 | gap at 331k, mean [95% CI] | other pick | other: mean "
           "[95% CI] | other: worst |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for over, s in agg["primary"].items():
        o = agg["other"][over]
        mean = _ci(s["mean_ci"]) if s["mean_ci"] else _signed(s["mean"])
        at = _ci(s["at_mean_ci"]) if s["at_mean_ci"] else _signed(s["at_mean"])
        other = _ci(o["mean_ci"]) if o["mean_ci"] else _signed(o["mean"])
        out.append(f"| {over} | {s['jobs']} ({s['with_verdict']} with a verdict) | "
                   f"{_kinds(s)} | {mean} | {_signed(s['worst'])} | {s['above_zero']} of "
                   f"{s['jobs']} | {s['interval_above_zero']} of {s['jobs']} | {at} | "
                   f"{_kinds(o)} | {other} | {_signed(o['worst'])} |")
    return out


def rule_lines(agg: dict) -> list[str]:
    """Per pick rule (whether primary or not), per fold and over all."""
    out = ["| pick | over | jobs | mean | mean [95% CI] | worst | above 0 | interval above 0 |",
           "|---|---|---|---|---|---|---|---|"]
    for kind, by in agg["rules"].items():
        for over, s in by.items():
            out.append(f"| {kind} | {over} | {s['jobs']} ({s['with_verdict']} with a verdict) "
                       f"| {_signed(s['mean'])} | {_ci(s['mean_ci'])} | {_signed(s['worst'])} | "
                       f"{s['above_zero']} of {s['jobs']} | {s['interval_above_zero']} of "
                       f"{s['jobs']} |")
    return out


def table_lines(rows: list[dict], agg: dict, mixed: bool) -> list[str]:
    """summary.md: the per-job rows, the headline (primary pick), per rule, targets."""
    codes = sorted({r["code"] for r in rows})
    return (["# Every benchmark held out in turn", "",
             f"Code: {', '.join(codes) or '-'}" + (" (MIXED COMMITS, forced)" if mixed else ""),
             ""] + job_lines(rows)
            + ["", "## The primary pick, per fold and over all jobs", "", JOINT_NOTE, ""]
            + headline_lines(agg) + ["", "## Per pick rule", ""] + rule_lines(agg)
            + ["", "## Targets (issue 30)", ""] + target_lines(agg["primary"], start_of(rows)))


def start_of(jobs: list[dict]) -> str:
    """The built-in search's start of the table's jobs: "blank" when every job
    asked for it (``--set start=blank`` in its command), else "default"."""
    blank = jobs and all("start=blank" in j.get("cmd", "") for j in jobs)
    return "blank" if blank else "default"


def write_summary(out: Path, jobs: list[dict], force_mixed: bool = False) -> str:
    """Write OUT/summary.md and OUT/summary.json; returns the markdown."""
    codes = {j["code"] for j in jobs}
    if len(codes) > 1 and not force_mixed:
        sys.exit(f"folds: the jobs in {out} ran at {', '.join(sorted(codes))}: one table, one "
                 "commit (--force-mixed to write it anyway)")
    rows = job_verdicts(out, jobs, SharedDraws(JOINT_RESAMPLES, JOINT_SEED))
    agg = aggregate(rows)
    doc = {"codes": sorted(codes), "mixed": len(codes) > 1,
           "joint": {"resamples": JOINT_RESAMPLES, "seed": JOINT_SEED, "note": JOINT_NOTE},
           "aggregate": agg,
           "jobs": [{k: v for k, v in r.items() if k != "vectors"} for r in rows]}
    (out / "summary.json").write_text(json.dumps(doc, indent=1) + "\n")
    text = "\n".join(table_lines(rows, agg, len(codes) > 1)) + "\n"
    (out / "summary.md").write_text(text)
    return text
