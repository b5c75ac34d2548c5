"""The built-in search's verdict in the default one-shot job (issue 15).

Runs ``autotts discover --budget-minutes 20`` (the README's main job) once per
(start, run seed), one after another so each has the whole machine, then
reads every finished run and writes ``summary.md`` / ``summary.json``:

- for each pick (by accuracy, by area): its search-split frontier area on all
  of the loop's seeds (the search's own fitness: area of the store-mean curve
  over 100k-600k tokens), against CMC's;
- its best held-out accuracy at no more than CMC beta = 0.5's held-out tokens,
  against CMC beta = 0.5;
- the paired bootstrap of pick minus CMC at matched held-out tokens (CMC's
  curve interpolated in log tokens) at every beta of the pick inside CMC's
  token range;
- the job's wall time and the commit it ran (``jobs.json``).

The CMC references are computed here once and cached in ``OUT/reference.json``
(held-out stores are opened only after the runs have finished). Usage::

    python bench/search_jobs.py --out results/search-v2 --start blank --seeds 0,1,2
    python bench/search_jobs.py --out results/search-v2 --summary-only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from autotts.controllers.spec import ControllerSpec
from autotts.discovery.proposers.search.fitness import fitness
from autotts.evaluation.envelope_gap import RatedPoint, envelope_gap
from autotts.evaluation.runner import Cell, run_cells

BETAS = tuple(round(0.1 * i, 1) for i in range(11))
TIE = 1e-9  # differences below this are float noise of interpolation (a pick that is CMC)


def run_job(out: Path, start: str, seed: int, minutes: float) -> dict:
    """One one-shot job; returns its wall time and exit status."""
    rundir = out / f"{start}-s{seed}"
    cmd = ["autotts", "discover", "--budget-minutes", str(minutes), "--run-dir", str(rundir),
           "--seed", str(seed), "--set", f"start={start}"]
    t0 = time.monotonic()
    with open(out / f"{start}-s{seed}.log", "w") as log:
        rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT)
    return {"start": start, "seed": seed, "rc": rc, "wall_s": time.monotonic() - t0,
            "code": code_version()}


def code_version() -> str:
    """The commit of this checkout (``+dirty`` with uncommitted changes), or "unknown"."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=here, check=True,
                              capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=here, check=True, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty.strip() else "")


def curves_of(cells: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for c in cells:
        out.setdefault(c["store"], []).append({"beta": c["params"]["beta"],
                                               "accuracy": c["accuracy"], "tokens": c["tokens"]})
    return out


def rated_points(cells: list[dict]) -> dict[float, RatedPoint]:
    """Store-mean held-out point per beta, with per-store per-question rates."""
    by_beta: dict[float, list[dict]] = {}
    for c in cells:
        by_beta.setdefault(c["params"]["beta"], []).append(c)
    out = {}
    for b, cs in sorted(by_beta.items()):
        cs.sort(key=lambda c: c["store"])
        out[b] = RatedPoint(sum(c["tokens"] for c in cs) / len(cs),
                            sum(c["accuracy"] for c in cs) / len(cs),
                            [c["question_correct_rate"] for c in cs])
    return out


def references(out: Path, data: Path) -> dict:
    """CMC over the beta grid on the search split (area) and on held-out (rated points)."""
    path = out / "reference.json"
    if path.is_file():
        return json.loads(path.read_text())
    models = ("Qwen3-0.6B", "Qwen3-1.7B", "Qwen3-4B", "Qwen3-8B")
    splits = {"search": [f"{m}/aime24" for m in models],
              "held_out": [f"{m}/{d}" for m in models for d in ("aime25", "hmmt25")]}
    ref = {}
    for split, stores in splits.items():
        cells = [Cell(s, str(data / f"{s}.json.gz"), ControllerSpec("cmc", params={"beta": b}))
                 for s in stores for b in BETAS]
        res = run_cells(cells, seeds=100, workers=os.cpu_count() or 2)
        ref[split] = [{"store": c.env, "params": {"beta": c.spec.params["beta"]},
                       "accuracy": r.accuracy, "tokens": r.tokens,
                       "question_correct_rate": list(r.question_correct_rate)}
                      for c, r in zip(cells, res)]
    path.write_text(json.dumps(ref))
    return ref


def verdict(rundir: Path, ref: dict) -> dict:
    """Every pick of one finished run, scored as the module doc says."""
    sel = json.loads((rundir / "final" / "selection.json").read_text())
    cmc_area = fitness(curves_of(ref["search"]))[0]
    cmc = rated_points(ref["held_out"])
    target = cmc[0.5]
    rows = {}
    for rule, rnd in sel["picks"].items():
        if rnd is None:
            continue
        rdir = rundir / "rounds" / f"r{rnd:04d}"
        search = json.loads((rdir / "results.json").read_text())
        held = json.loads((rundir / "final" / f"heldout_r{rnd:04d}.json").read_text())
        pts = rated_points(held["cells"])
        best, gaps = held_out_verdict(pts, cmc)
        fit = fitness(curves_of(search["cells"]))
        rows[rule] = {"round": rnd, "search_seeds": search["seeds"],
                      "search_area": fit[0] if fit else None, "cmc_area": cmc_area,
                      "held_best_within": None if best is None else
                      {"accuracy": best.accuracy, "tokens": best.tokens},
                      "cmc_b05": {"accuracy": target.accuracy, "tokens": target.tokens},
                      "area_met": bool(fit and fit[0] >= cmc_area - TIE),
                      "held_met": bool(best and best.accuracy >= target.accuracy - TIE),
                      "gaps_vs_cmc": gaps,
                      "held_curve": {b: {"accuracy": p.accuracy, "tokens": p.tokens}
                                     for b, p in pts.items()}}
    return rows


def held_out_verdict(pts: dict[float, RatedPoint],
                     cmc: dict[float, RatedPoint]) -> tuple[RatedPoint | None, dict]:
    """(best point within CMC beta = 0.5's held-out tokens or None, paired
    bootstrap against CMC per beta inside CMC's token range)."""
    target = cmc[0.5]
    lo, hi = min(q.tokens for q in cmc.values()), max(q.tokens for q in cmc.values())
    best = max((p for p in pts.values() if p.tokens <= target.tokens),
               key=lambda p: p.accuracy, default=None)
    gaps = {b: envelope_gap(p, {"CMC": list(cmc.values())}).to_dict()
            for b, p in pts.items() if lo <= p.tokens <= hi}
    return best, gaps


def gap_text(gaps: dict) -> str:
    """How many of the pick's betas inside CMC's token range lie above CMC's
    curve, and the mean paired difference (points)."""
    if not gaps:
        return "no beta inside CMC's range"
    est = [g["estimate"] for g in gaps.values()]
    sure = sum(g["lo"] is not None and g["lo"] > TIE for g in gaps.values())
    return (f"{sum(e > TIE for e in est)}/{len(est)} betas above (mean {sum(est) / len(est):+.2f}; "
            f"{sure} with the 95% interval above 0)")


def summary(out: Path, data: Path) -> str:
    """summary.json and summary.md over every finished run under ``out``."""
    ref = references(out, data)
    jobs = json.loads((out / "jobs.json").read_text()) if (out / "jobs.json").is_file() else []
    walls = {f"{j['start']}-s{j['seed']}": j["wall_s"] for j in jobs}
    codes = {f"{j['start']}-s{j['seed']}": j.get("code", "?") for j in jobs}  # the last run wins
    doc, lines = {}, ["| run | pick | round | search area (CMC) | held-out best <= CMC b0.5 "
                      "tokens (CMC b0.5) | targets | vs CMC at matched tokens | wall | code |",
                      "|---|---|---|---|---|---|---|---|---|"]
    for rundir in sorted(p for p in out.iterdir() if (p / "final" / "selection.json").is_file()):
        doc[rundir.name] = v = verdict(rundir, ref)
        for rule, r in v.items():
            hb, c = r["held_best_within"], r["cmc_b05"]
            held = "none" if hb is None else f"{hb['accuracy']:.2f}% @ {hb['tokens'] / 1e3:.0f}k"
            met = ("area " + ("yes" if r["area_met"] else "no") + ", held-out "
                   + ("yes" if r["held_met"] else "no"))
            wall = walls.get(rundir.name)
            lines.append(f"| {rundir.name} | {rule} | r{r['round']} | {r['search_area']:.2f} "
                         f"({r['cmc_area']:.2f}) | {held} ({c['accuracy']:.2f}% @ "
                         f"{c['tokens'] / 1e3:.0f}k) | {met} | {gap_text(r['gaps_vs_cmc'])} | "
                         + (f"{wall / 60:.1f} min" if wall else "?")
                         + f" | {codes.get(rundir.name, '?')} |")
    (out / "summary.json").write_text(json.dumps(doc, indent=1))
    text = "\n".join(lines) + "\n"
    (out / "summary.md").write_text(text)
    return text


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="Folder of the runs and summary.")
    p.add_argument("--start", choices=("blank", "default"), default="blank",
                   help="The search's start (--set start=...).")
    p.add_argument("--seeds", default="0,1,2", help="Run seeds, comma-separated (0,1,2).")
    p.add_argument("--minutes", type=float, default=20.0, help="Budget of each job (20).")
    p.add_argument("--data", type=Path, default=os.environ.get("AUTOTTS_DATA"),
                   help="Replay store directory (default: $AUTOTTS_DATA).")
    p.add_argument("--summary-only", action="store_true", help="Only summarise finished runs.")
    p.add_argument("--no-summary", action="store_true",
                   help="Only run the jobs (summarise later with --summary-only).")
    args = p.parse_args(argv)
    if not args.data:
        p.error("--data (or $AUTOTTS_DATA) is required")
    args.out.mkdir(parents=True, exist_ok=True)
    if not args.summary_only:
        jobs_path = args.out / "jobs.json"
        jobs = json.loads(jobs_path.read_text()) if jobs_path.is_file() else []
        for seed in (int(s) for s in args.seeds.split(",")):
            print(f"{args.start} start, run seed {seed}...", flush=True)
            jobs.append(run_job(args.out, args.start, seed, args.minutes))
            jobs_path.write_text(json.dumps(jobs, indent=1))
    if not args.no_summary:
        sys.stdout.write(summary(args.out, args.data))


if __name__ == "__main__":
    main()
