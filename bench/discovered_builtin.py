"""The built-in discovered controller on held-out (issue 31): table, curve, verdict.

`momentum-consensus` is round 4 of the fold table's job
``results/folds/search-aime24-s0`` (tag folds-v1; search on aime24, held out
aime25 + hmmt25). This script evaluates the *built-in* on the eight held-out
stores (11 betas, 100 seeds, its fast path) and checks that every cell
equals the job's own held-out grid of that round (``final/heldout_r0004.json``,
evaluated once by the loop when the job finished); it then writes, from those
cells and the job's kept held-out baselines (SC n = 1..64, ASC, ESC,
Parallel-Probe, CMC, short-m@k):

- the per-store table (accuracy and tokens per question at beta 0, 0.5, 1,
  beside SC@64 and CMC at beta 0.5 and 1),
- the mean curve over the eight stores against every baseline family,
- the verdict of the fold table for that job (``autotts verdict``: mean gap
  to the best-baseline envelope over 100k-600k and the gap at 331k, 95%
  intervals over problems).

    AUTOTTS_DATA=../shared/replay python bench/discovered_builtin.py

Writes results/discovered/momentum-consensus.{json,md,png} and
docs/figures/momentum-consensus-heldout.png. About a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

from autotts.controllers.spec import ControllerSpec
from autotts.discovery.run.directory import open_run
from autotts.discovery.selection.run_verdict import baseline_rows, run_verdict
from autotts.evaluation.runner import Cell, run_cells
from common import axes, save

ROOT = Path(__file__).resolve().parent.parent
JOB = ROOT / "results" / "folds" / "search-aime24-s0"
ROUND = 4
NAME = "momentum-consensus"
BETAS = [round(k / 10, 1) for k in range(11)]
SEEDS = list(range(100))
FAMILIES = {"sc": "SC (n = 1..64)", "asc": "ASC", "esc": "ESC",
            "parallel-probe": "Parallel-Probe", "cmc": "CMC", "short-m@k-beta": "short-m@k"}


def builtin_cells(stores: list[dict], workers: int) -> list[dict]:
    """The built-in on every (store, beta), as the loop's held-out grid lists cells."""
    cells = [Cell(s["name"], s["path"], ControllerSpec(NAME, params={"beta": b}))
             for s in stores for b in BETAS]
    res = run_cells(cells, seeds=SEEDS, workers=workers, description=NAME)
    return [{"store": r.env, "params": {"beta": c.spec.params["beta"]}, "accuracy": r.accuracy,
             "tokens": r.tokens, "question_correct_rate": r.question_correct_rate}
            for r, c in zip(res, cells)]


def check_archived(cells: list[dict]) -> None:
    """Every cell equals the job's held-out grid of the round (or exit naming it)."""
    kept = json.loads((JOB / "final" / f"heldout_r{ROUND:04d}.json").read_text())["cells"]
    by = {(c["store"], c["params"]["beta"]): c for c in kept}
    for c in cells:
        k = by[(c["store"], c["params"]["beta"])]
        if not (abs(c["accuracy"] - k["accuracy"]) < 1e-9 and abs(c["tokens"] / k["tokens"] - 1)
                < 1e-12 and np.allclose(c["question_correct_rate"], k["question_correct_rate"],
                                        atol=1e-12, rtol=0)):
            sys.exit(f"{NAME} differs from {JOB}/final/heldout_r{ROUND:04d}.json at "
                     f"{c['store']} beta {c['params']['beta']}")


def mean_curve(rows: list[dict], stores: list[str]) -> dict[str, list[tuple[float, float]]]:
    """Family -> (mean tokens, mean accuracy) over the stores, per setting, by tokens."""
    by: dict[tuple[str, str], dict[str, dict]] = {}
    for r in rows:
        key = (r["controller"], json.dumps(r["params"], sort_keys=True))
        by.setdefault(key, {})[r["store"]] = r
    out: dict[str, list[tuple[float, float]]] = {}
    for (cid, _), per in by.items():
        if all(s in per for s in stores):
            out.setdefault(cid, []).append((float(np.mean([per[s]["tokens"] for s in stores])),
                                            float(np.mean([per[s]["accuracy"] for s in stores]))))
    return {k: sorted(v) for k, v in out.items()}


def _cell(rows: list[dict], store: str, cid: str, params: dict) -> str:
    r = next(r for r in rows if r["store"] == store and r["controller"] == cid
             and r["params"] == params)
    return f"{r['accuracy']:.1f}% / {r['tokens'] / 1e3:.0f}k"


def store_table(rows: list[dict], stores: list[str]) -> list[str]:
    """Per store: the built-in at beta 0, 0.5, 1 beside SC@64 and CMC."""
    head = (f"| store | {NAME} beta 0 | beta 0.5 | beta 1 | SC@64 | CMC beta 0.5 | "
            "CMC beta 1 |")
    out = [head, "|---|---|---|---|---|---|---|"]
    for s in stores:
        out.append(f"| {s} | " + " | ".join(_cell(rows, s, NAME, {"beta": b})
                                             for b in (0.0, 0.5, 1.0))
                   + f" | {_cell(rows, s, 'sc', {'n': 64})}"
                   f" | {_cell(rows, s, 'cmc', {'beta': 0.5})}"
                   f" | {_cell(rows, s, 'cmc', {'beta': 1.0})} |")
    return out


def plot(curves: dict, gap: dict, path: Path) -> None:
    fig, ax = axes(figsize=(6.4, 4.2))
    for cid, label in FAMILIES.items():
        if cid in curves:
            x, y = zip(*curves[cid])
            ax.plot(np.array(x) / 1e3, y, marker=".", lw=1.1, label=label)
    x, y = zip(*curves[NAME])
    ax.plot(np.array(x) / 1e3, y, marker="o", lw=2.6, color="black",
            label=f"{NAME} (discovered)")
    ax.set_xscale("log")
    ax.set_xticks([30, 100, 300, 1000], ["30k", "100k", "300k", "1000k"])
    ax.axvspan(100, 600, color="grey", alpha=0.07, lw=0)
    ax.set_xlabel("tokens per question (log); shaded: the verdict's 100k-600k")
    ax.set_ylabel("held-out accuracy, mean of 8 stores (%)")
    ax.set_title("Held out (aime25 + hmmt25, 4 Qwen3 models): mean gap to the best baseline,\n"
                 f"100k-600k, {gap['estimate']:+.2f} points [95%: {gap['lo']:+.2f}, "
                 f"{gap['hi']:+.2f}] (searched on aime24 only)", fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    save(fig, path)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--workers", type=int, default=2, help="Evaluation processes (2).")
    p.add_argument("--out", type=Path, default=ROOT / "results" / "discovered")
    args = p.parse_args(argv)
    run = open_run(JOB)
    refs = run.store_refs("held_out")
    stores = [s["name"] for s in refs]
    cells = builtin_cells(refs, args.workers)
    check_archived(cells)
    rows = baseline_rows(run)[0] + [{**c, "controller": NAME} for c in cells]
    v = run_verdict(JOB)["picks"]["fitness"]
    assert v["round"] == ROUND
    g, a = v["mean_gap"], v["at_gap"]
    line = (f"mean gap to the best-baseline envelope, 100k-600k: {g['estimate']:+.2f} "
            f"[{g['lo']:+.2f}, {g['hi']:+.2f}]; at 331k: {a['estimate']:+.2f} "
            f"[{a['lo']:+.2f}, {a['hi']:+.2f}] points (95%, problems)")
    curves = mean_curve(rows, stores)
    args.out.mkdir(parents=True, exist_ok=True)
    png = args.out / f"{NAME}.png"
    plot(curves, g, png)
    shutil.copy(png, ROOT / "docs" / "figures" / f"{NAME}-heldout.png")
    md = ([f"# {NAME} on held-out", "",
           f"The built-in `{NAME}` equals round {ROUND} of {JOB.relative_to(ROOT)} on all "
           f"{len(cells)} held-out cells (checked by bench/discovered_builtin.py). 100 seeds; "
           "accuracy / tokens per question.", ""] + store_table(rows, stores)
          + ["", f"Verdict (the fold table's row for this job, `autotts verdict "
                 f"{JOB.relative_to(ROOT)}`): {line}.", ""])
    (args.out / f"{NAME}.md").write_text("\n".join(md))
    (args.out / f"{NAME}.json").write_text(json.dumps(
        {"controller": NAME, "job": str(JOB.relative_to(ROOT)), "round": ROUND,
         "verdict": v, "curves": curves, "cells": cells}, indent=1) + "\n")
    sys.stdout.write("\n".join(md))


if __name__ == "__main__":
    main()
