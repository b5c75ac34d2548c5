"""Quality against compute (issue 30): the fold table's verdict after 1, 2, ... rounds.

A job of k rounds is the first k rounds of a longer job, design for design:
the built-in search never looks at how many rounds are still to come, and
the fold jobs run a fixed number of rounds with the wall cap off
(``bench/folds.py``). So the pick a k-round job would hand over is the
loop's own rule (``picks.picks``, the primary pick as in the fold table)
applied to the first k rounds of a kept job, and its verdict is computed
exactly as the fold table computes a job's. A kept job holds the whole
held-out grid of its own two picks only; the grid of a prefix pick it lacks
is evaluated here once (the round's kept ``candidate.py`` on the run's
held-out stores and seeds, on the compiled kernel) and kept in
``OUT/grids/JOB/heldout_rNNNN.json.gz``, where a later call finds it.

Compute is counted in rounds (36 designs screened each; the main job runs 5 and,
on a quiet 2-core machine, takes about half a minute: bench/bench_main_job.py), not
in minutes: the main job's rounds are fixed in number and its wall budget only
stops it early. Where a table of longer jobs is given (``--tables results/folds
results/folds/rounds15``) its jobs replace the shorter ones of the same fold and
seed, after a check that their common rounds are the same candidates. Usage::

    python bench/folds_compute.py                    # results/folds, rounds 1-5
    python bench/folds_compute.py --tables results/folds results/folds/rounds15  # + 15-round
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from dataclasses import asdict
from pathlib import Path

import numpy as np

from autotts.discovery.round.state import round_states
from autotts.discovery.run.directory import Run, open_run
from autotts.discovery.sandbox.evaluate import evaluate_candidate
from autotts.discovery.sandbox.generated import evaluate_generated
from autotts.discovery.selection.picks import picks, primary_pick
from autotts.discovery.selection.run_verdict import (
    baseline_curves,
    baseline_rows,
    pick_settings,
)
from autotts.evaluation.verdict import dataset_of, gap_vectors, verdict
from autotts.evaluation.verdict_joint import SharedDraws, mean_gap_of

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import axes, save  # noqa: E402
from folds_table import JOINT_RESAMPLES, JOINT_SEED  # noqa: E402


def kept_jobs(tables: list[Path]) -> dict[tuple[str, int], Path]:
    """(fold, seed) -> the kept job folder with the most rounds over ``tables``."""
    best: dict[tuple[str, int], Path] = {}
    for table in tables:
        for j in json.loads((table / "jobs.json").read_text()):
            if j["status"] != "ok":
                continue
            key, here = (j["fold"], j["seed"]), table / j["job"]
            if key not in best or _rounds(here) > _rounds(best[key]):
                if key in best:
                    same_prefix(best[key], here)
                best[key] = here
    return dict(sorted(best.items()))


def _rounds(job: Path) -> int:
    return len(list((job / "rounds").glob("r*/state.json")))


def same_prefix(short: Path, long: Path) -> None:
    """Refuse a longer job whose first rounds are not the shorter job's candidates."""
    for cand in sorted((short / "rounds").glob("r*/candidate.py")):
        other = long / cand.relative_to(short)
        if not other.is_file() or other.read_bytes() != cand.read_bytes():
            sys.exit(f"folds_compute: {other} differs from {cand}: the longer job is not a "
                     "continuation of the shorter one (same code and seed)")


def prefix_pick(done: list[dict], k: int) -> tuple[str, dict[str, int | None]]:
    """(the primary pick's kind, the picks) of a job stopped after ``k`` rounds."""
    chosen = picks(done[:k])
    return primary_pick(chosen, "fitness" in chosen), chosen


def grid_cells(run: Run, st: dict, cache: Path) -> list[dict]:
    """The round's held-out grid: the job's own when whole, else the one kept in
    ``cache``, else evaluated now and kept there."""
    n = st["round"]
    own = run.dir / "final" / f"heldout_r{n:04d}.json"
    kept = json.loads(own.read_text()) if own.is_file() else {}
    if kept.get("full"):
        return kept["cells"]
    path = cache / f"heldout_r{n:04d}.json.gz"
    if path.is_file():
        return json.loads(gzip.decompress(path.read_bytes()))["cells"]
    source = (run.dir / "rounds" / f"r{n:04d}" / "candidate.py").read_text()
    stores, seeds = run.held_out_stores, run.cfg.run.seed_list
    res = (evaluate_generated(source, st["class_name"], stores, st["grid"], seeds,
                              run.sandbox())
           or evaluate_candidate(source, st["class_name"], stores, st["grid"], seeds,
                                 run.sandbox()))
    if res.error:
        raise RuntimeError(f"{run.dir} round {n}: held-out grid failed: {res.error}")
    doc = {"round": n, "full": True, "grid": st["grid"], **res.to_dict()}
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(gzip.compress(json.dumps(doc).encode(), mtime=0))
    tmp.replace(path)  # a killed call leaves no half-written grid
    return doc["cells"]


def job_points(job: Path, out: Path, shared: SharedDraws) -> list[dict]:
    """Per prefix length k: the primary pick's round, verdict and resampled gaps."""
    run = open_run(job)
    stores = [s["name"] for s in run.store_refs("held_out")]
    datasets = [dataset_of(s) for s in stores]
    curves = baseline_curves(baseline_rows(run)[0], stores)
    done = [s for s in round_states(run) if s["phase"] == "done"]
    by_round = {s["round"]: s for s in done}
    points = []
    for k in range(1, len(done) + 1):
        kind, chosen = prefix_pick(done, k)
        n = chosen[kind]
        point = {"rounds": k, "designs": designs_screened(done[:k]), "pick": kind, "round": n}
        if n is None:  # no round ok yet: a job stopped here hands nothing over
            points.append(point)
            continue
        pts = pick_settings(grid_cells(run, by_round[n], out / "grids" / job.name), stores)
        v = verdict(pts, curves, datasets)
        draws = shared.get(datasets, [len(r) for r in pts[0].rates])
        mean_vec, at_vec = gap_vectors(pts, curves, datasets, draws)
        points.append({**point, "mean_gap": asdict(v.mean_gap), "at_gap": asdict(v.at_gap),
                       "_vectors": (mean_vec, at_vec)})
    return points


def designs_screened(done: list[dict]) -> int:
    """Designs the search screened in these rounds (what the rounds cost)."""
    return sum(len(((s.get("proposal_meta") or {}).get("search") or {}).get("screened", ()))
               for s in done)


def aggregate(rows: dict[tuple[str, int], list[dict]]) -> list[dict]:
    """Per prefix length and over (all jobs, each fold): mean of the primary
    pick's gap with its joint interval, worst, jobs above zero (a job with no
    ok round yet has no pick: counted in ``jobs``, not in the mean)."""
    out = []
    kmax = max(len(p) for p in rows.values())
    for k in range(1, kmax + 1):
        have = {key: p[k - 1] for key, p in rows.items() if len(p) >= k}
        folds = sorted({f for f, _ in have})
        # "all" only where it is more than one fold (longer jobs may exist for one fold)
        for over in (["all"] if len(folds) > 1 else []) + folds:
            every = [p for (f, _), p in have.items() if over in ("all", f)]
            got = [p for p in every if "mean_gap" in p]  # a job with no pick yet: left out
            est = [p["mean_gap"]["estimate"] for p in got]
            out.append({"rounds": k, "over": over,
                        "jobs": len(every), "with_pick": len(got),
                        "designs": float(np.mean([p["designs"] for p in every])),
                        "mean_ci": asdict(mean_gap_of([p["_vectors"][0] for p in got])),
                        "at_mean_ci": asdict(mean_gap_of([p["_vectors"][1] for p in got])),
                        "worst": min(est), "above_zero": sum(e > 0 for e in est)})
    return out


def _ci(g: dict) -> str:
    return f"{g['estimate']:+.2f} [{g['lo']:+.2f}, {g['hi']:+.2f}]"


def table_md(agg: list[dict], rows: dict, tables: list[Path]) -> str:
    """summary.md: per prefix length, the primary pick's mean gap per fold and over all."""
    lines = ["# Quality against compute: the fold table after k rounds", "",
             f"Jobs: {', '.join(str(t) for t in tables)} ({len(rows)} jobs). A k-round job is "
             "the first k rounds of a kept job, its pick the loop's rule on those rounds "
             "(bench/folds_compute.py); the main job runs 5. Intervals: the fold table's "
             "joint bootstrap over "
             f"problems ({JOINT_RESAMPLES:,} resamples, seed {JOINT_SEED}).", "",
             "| rounds | over | jobs | designs screened (mean) | mean gap 100k-600k "
             "[95% CI] | worst | above 0 | gap at 331k [95% CI] |",
             "|---|---|---|---|---|---|---|---|"]
    for a in agg:
        jobs = f"{a['jobs']}" + ("" if a["with_pick"] == a["jobs"] else
                                 f" ({a['jobs'] - a['with_pick']} with no pick)")
        lines.append(f"| {a['rounds']} | {a['over']} | {jobs} | "
                     f"{a['designs']:.0f} | {_ci(a['mean_ci'])} | {a['worst']:+.2f} | "
                     f"{a['above_zero']} of {a['jobs']} | {_ci(a['at_mean_ci'])} |")
    lines += ["", "Per job: the primary pick's round and mean gap after each round.", "",
              "| fold | seed | " + " | ".join(f"k={k}" for k in range(1, max(
                  len(p) for p in rows.values()) + 1)) + " |",
              "|---|---|" + "---|" * max(len(p) for p in rows.values())]
    for (fold, seed), pts in rows.items():
        lines.append(f"| {fold} | {seed} | " + " | ".join(
            f"r{p['round']} {p['mean_gap']['estimate']:+.2f}" if "mean_gap" in p else "no pick"
            for p in pts) + " |")
    return "\n".join(lines) + "\n"


def plot(agg: list[dict], path: Path) -> None:
    """Mean gap (primary pick) against rounds, per fold and over all, with intervals,
    where every job of the line has that many rounds."""
    fig, ax = axes(figsize=(6.4, 4.0))
    for over in dict.fromkeys(a["over"] for a in agg):
        every = max(a["jobs"] for a in agg if a["over"] == over)
        pts = [a for a in agg if a["over"] == over and a["jobs"] == every]
        x = [a["rounds"] for a in pts]
        y = [a["mean_ci"]["estimate"] for a in pts]
        line, = ax.plot(x, y, marker="o", lw=2.4 if over == "all" else 1.2,
                        label=f"{over} ({pts[0]['jobs']} jobs)" if over == "all"
                        else f"search on {over}")
        if over == "all":
            ax.fill_between(x, [a["mean_ci"]["lo"] for a in pts],
                            [a["mean_ci"]["hi"] for a in pts], color=line.get_color(),
                            alpha=0.15, label="all: 95% interval (problems)")
    ax.axhline(0, color="grey", lw=0.8)
    ax.axhline(1.0, color="grey", lw=0.8, ls="--", label="issue 30 target (+1.0)")
    ax.set_xlabel("rounds (36 designs screened each; the main job runs 5)")
    ax.set_ylabel("held-out gap to best baseline (points)")
    ax.set_title("Quality against compute: the fold table's primary pick")
    ax.set_xticks(sorted({a["rounds"] for a in agg}))
    ax.legend(fontsize=8, loc="lower right")
    save(fig, path)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tables", type=Path, nargs="+", default=[Path("results/folds")],
                   help="Fold tables (bench/folds.py OUT folders); for a fold and seed the "
                        "job with the most rounds is used (results/folds).")
    p.add_argument("--out", type=Path, default=Path("results/folds-compute"),
                   help="Where the evaluated grids, summary.md/json and the plot go.")
    p.add_argument("--figure", type=Path, default=Path("docs/figures/quality-vs-compute.png"),
                   help="A copy of the plot for the docs.")
    args = p.parse_args(argv)
    shared = SharedDraws(JOINT_RESAMPLES, JOINT_SEED)
    jobs, rows = kept_jobs(args.tables), {}
    for key, job in jobs.items():
        print(f"{job}: {_rounds(job)} rounds", flush=True)
        rows[key] = job_points(job, args.out, shared)
    agg = aggregate(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    doc = {"tables": [str(t) for t in args.tables], "aggregate": agg,
           "jobs": [{"fold": f, "seed": s, "job": str(jobs[(f, s)]),
                     "points": [{k: v for k, v in q.items() if k != "_vectors"} for q in pts]}
                    for (f, s), pts in rows.items()]}
    (args.out / "summary.json").write_text(json.dumps(doc, indent=1) + "\n")
    text = table_md(agg, rows, args.tables)
    (args.out / "summary.md").write_text(text)
    plot(agg, args.out / "quality-vs-compute.png")
    plot(agg, args.figure)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
