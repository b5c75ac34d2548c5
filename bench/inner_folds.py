"""The search's own exam on search splits only (issue 30): choose search
settings without looking at any held-out store.

Each of the three folds' search datasets (aime24, aime25, hmmt25; the four
Qwen3 models) is split into two fixed halves of its problems (a seeded
permutation: the first 15 of it are half A). A job searches on one half
(its stores, its baselines) and is judged on the other half, with the
verdict's statistic: the mean gap to the best-baseline envelope (SC, ASC,
ESC, Parallel-Probe, CMC, short-m@k on that half, 100 seeds) over 100k-600k
tokens. The job plays the loop's part as the loop does it for the built-in
search: ``rounds`` proposals, each evaluated on 100 seeds of the search
half, refused when its cost falls with beta or it misses the budget-reach
rule; the picks are the best search accuracy and the best proposer fitness,
the latter the primary. Everything runs on the compiled design kernel, in
this process and its screening workers (trusted generated code, no sandbox).

Resumable: each finished job is a JSON file under ``OUT/jobs/``; a job whose
file exists is skipped. ``OUT/summary.md`` is rewritten after every job::

    python bench/inner_folds.py --out DIR --variant v2 --variant env20 \\
        [--seeds 0,1,2] [--rounds 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import time
from pathlib import Path

import numpy as np

from autotts.controllers.spec import ControllerSpec
from autotts.discovery.proposers.base import ProposalContext, RoundSummary
from autotts.discovery.proposers.search.fitness import mean_curve, reaches
from autotts.discovery.proposers.search.proposer import SearchProposer
from autotts.discovery.proposers.search.screen import Screener
from autotts.discovery.proposers.search.yardstick import design_settings
from autotts.discovery.run.baselines import BASELINE_GRIDS
from autotts.discovery.run.config import ContractSection
from autotts.discovery.selection.run_verdict import baseline_curves
from autotts.evaluation.envelope_baselines import ENVELOPE_FAMILIES
from autotts.evaluation.runner import Cell, run_cells
from autotts.evaluation.verdict import dataset_of, verdict

MODELS = ("Qwen3-0.6B", "Qwen3-1.7B", "Qwen3-4B", "Qwen3-8B")
DATASETS = ("aime24", "aime25", "hmmt25")
BETAS = tuple(round(0.1 * i, 1) for i in range(11))
SEEDS = list(range(100))
VARIANTS = {  # name -> proposer settings
    "v2": {},
    "blank": {"start": "blank"},   # random designs only, no seed designs
    "worst": {"objective": "worst-store"},  # the smallest per-model area lead over baselines
    "env20": {"objective": "envelope", "quantile": 0.2},
    "env50": {"objective": "envelope", "quantile": 0.5},
    "env20-wide": {"objective": "envelope", "quantile": 0.2, "per_round": 180, "promote": 6},
    "v2-wide": {"per_round": 180, "promote": 6},
    # the verdict's own envelope on the search half, CMC among its baselines
    "envcmc50": {"objective": "envelope", "quantile": 0.5, "with_cmc": True},
}


def half_stores(data: Path, out: Path, dataset: str) -> dict[str, dict[str, str]]:
    """{"A": {name: path}, "B": {...}}: the dataset's stores cut into two fixed
    halves of its problems (the same cut for every model: they share problems)."""
    halves: dict[str, dict[str, str]] = {"A": {}, "B": {}}
    for model in MODELS:
        records = json.loads(gzip.open(data / model / f"{dataset}.json.gz", "rt").read())
        perm = np.random.default_rng(0).permutation(len(records))
        cut = {"A": sorted(perm[: len(records) // 2]), "B": sorted(perm[len(records) // 2:])}
        for half, idx in cut.items():
            path = out / "data" / model / f"{dataset}-{half}.json.gz"
            if not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                with gzip.open(path, "wt") as f:
                    json.dump([records[i] for i in idx], f)
            halves[half][f"{model}/{dataset}-{half}"] = str(path)
    return halves


def baselines(stores: dict[str, str], out: Path, envelope: bool) -> list[dict]:
    """Baseline rows on ``stores`` (100 seeds), cached: the search baselines, and with
    ``envelope`` every envelope family (CMC included) for judging."""
    tag = "-".join(sorted(stores)).replace("/", "_") + ("-env" if envelope else "")
    path = out / "baselines" / f"{tag}.json"
    if path.is_file():
        return json.loads(path.read_text())
    specs = [ControllerSpec(cid, params={knob: v}) for cid, (knob, values, _) in
             BASELINE_GRIDS.items() for v in values]
    if envelope:
        have = {s.id for s in specs}
        specs += [ControllerSpec(cid, params={knob: v}) for cid, knob, values
                  in ENVELOPE_FAMILIES.values() if cid not in have for v in values]
    cells = [Cell(name, p, spec) for name, p in stores.items() for spec in specs]
    res = run_cells(cells, seeds=SEEDS, workers=2)
    rows = [{"store": r.env, "controller": c.spec.id, "params": dict(c.spec.params),
             "accuracy": r.accuracy, "tokens": r.tokens,
             "question_correct_rate": r.question_correct_rate,
             "question_tokens": r.question_tokens} for r, c in zip(res, cells)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows))
    return rows


def search_rounds(search: dict[str, str], out: Path, settings: dict, seed: int,
                  rounds: int) -> tuple[list[dict], list[dict]]:
    """The loop's part for ``rounds`` rounds of the search on ``search``: (one
    record per round, each round's proposal meta). ``with_cmc`` in ``settings``
    gives the search every envelope family's rows (CMC included) as its
    baselines, not only the loop's search baselines."""
    settings = dict(settings)
    rows = baselines(search, out, envelope=settings.pop("with_cmc", False))
    sc64 = {r["store"]: r["tokens"] for r in rows if r["controller"] == "sc"
            and r["params"] == {"n": 64}}
    rule = {k: v for k, v in ContractSection().rule().items() if k != "tolerance"}
    proposer = SearchProposer(**settings)
    fit_rule = SearchProposer.fitness_rule(search_baselines=lambda: rows, **settings)
    history, done, metas = [], [], []
    for rnd in range(1, rounds + 1):
        ctx = ProposalContext(round=rnd, workspace=out, candidate_path=out / "c.py", prompt="",
                              history=tuple(history), seed=seed,
                              search_stores=tuple(search.items()), betas=BETAS, workers=2,
                              reach_rule=rule, sc64_tokens=tuple(sc64.items()),
                              search_baselines=tuple(rows))
        prop = proposer.propose(ctx)
        curves = proposer.screener(ctx).curves([prop.meta["genome"]], SEEDS)[0]
        fit = fit_rule(curves)
        ok = fit is not None and reaches(curves, rule, sc64)
        acc = max(a for _, a in mean_curve(curves))
        history.append(RoundSummary(round=rnd, status="ok" if ok else "invalid", source="",
                                    curves=curves, score={"seeds": len(SEEDS)},
                                    meta=prop.meta))
        done.append({"round": rnd, "ok": ok, "accuracy": acc, "fitness": fit,
                     "genome": prop.meta["genome"]})
        metas.append(prop.meta)
    proposer.close()
    return done, metas


def run_job(search: dict[str, str], judge: dict[str, str], out: Path, settings: dict,
            seed: int, rounds: int) -> dict:
    """One job: search on ``search`` (see :func:`search_rounds`), picks judged on ``judge``."""
    t0 = time.monotonic()
    done, _ = search_rounds(search, out, settings, seed, rounds)
    ok = [d for d in done if d["ok"]]
    picks = {"accuracy": max(ok, key=lambda d: (d["accuracy"], -d["round"]), default=None),
             "fitness": max(ok, key=lambda d: (d["fitness"], -d["round"]), default=None)}
    return {"rounds": done, "search_s": time.monotonic() - t0,
            "picks": {k: judge_pick(d, judge, out) if d else None for k, d in picks.items()}}


def judge_pick(d: dict, judge: dict[str, str], out: Path) -> dict:
    """The verdict of one picked round's design on the judging half."""
    screener = Screener(judge, BETAS, workers=2)
    try:
        curves = screener.curves([d["genome"]], SEEDS)[0]
    finally:
        screener.close()
    stores = list(judge)
    pts = design_settings(curves, stores)
    base = baseline_curves(baselines(judge, out, envelope=True), stores)
    v = verdict(pts, base, [dataset_of(s) for s in stores], resamples=2000)
    return {"round": d["round"], "mean_gap": v.mean_gap.estimate, "lo": v.mean_gap.lo,
            "hi": v.mean_gap.hi, "at_gap": v.at_gap.estimate,
            "max_tokens": max(t for t, _ in mean_curve(curves))}


def summary(out: Path) -> str:
    """The table of every finished job: per variant the primary (fitness) pick's
    mean gap per fold and over all, and the accuracy pick's beside it."""
    jobs = [json.loads(p.read_text()) for p in sorted((out / "jobs").glob("*.json"))]
    lines = ["| variant | jobs | fitness pick mean (worst) | per dataset | accuracy pick mean |",
             "|---|---|---|---|---|"]
    for var in dict.fromkeys(j["variant"] for j in jobs):
        mine = [j for j in jobs if j["variant"] == var]
        gap = {k: [j["result"]["picks"][k]["mean_gap"] if j["result"]["picks"][k] else
                   float("nan") for j in mine] for k in ("fitness", "accuracy")}
        per = {ds: np.mean([g for g, j in zip(gap["fitness"], mine) if j["dataset"] == ds])
               for ds in DATASETS if any(j["dataset"] == ds for j in mine)}
        lines.append(f"| {var} | {len(mine)} | {np.mean(gap['fitness']):+.2f} "
                     f"({np.min(gap['fitness']):+.2f}) | "
                     + ", ".join(f"{ds} {v:+.2f}" for ds, v in per.items())
                     + f" | {np.mean(gap['accuracy']):+.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("AUTOTTS_DATA",
                                                                      "../shared/replay")))
    ap.add_argument("--variant", action="append", choices=sorted(VARIANTS), required=True)
    ap.add_argument("--seeds", default="0,1,2", help="run seeds (comma list)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--datasets", default=",".join(DATASETS))
    a = ap.parse_args()
    (a.out / "jobs").mkdir(parents=True, exist_ok=True)
    for seed in [int(s) for s in a.seeds.split(",")]:
        for ds in a.datasets.split(","):
            halves = half_stores(a.data, a.out, ds)
            for search, judge in (("A", "B"), ("B", "A")):
                for var in a.variant:
                    name = var if a.rounds == 5 else f"{var}-r{a.rounds}"  # 5: the main job's
                    path = a.out / "jobs" / f"{name}-{ds}-{search}-s{seed}.json"
                    if path.is_file():
                        continue
                    res = run_job(halves[search], halves[judge], a.out, VARIANTS[var], seed,
                                  a.rounds)
                    tmp = path.with_suffix(".tmp")
                    tmp.write_text(json.dumps({"variant": name, "dataset": ds, "search": search,
                                               "seed": seed, "rounds": a.rounds, "result": res},
                                              indent=1))
                    os.replace(tmp, path)
                    print(f"{path.stem}: fitness pick {res['picks']['fitness']}, "
                          f"{res['search_s']:.0f} s", flush=True)
                    (a.out / "summary.md").write_text(summary(a.out))


if __name__ == "__main__":
    main()
