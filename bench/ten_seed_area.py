"""Search-split area of finished search jobs' picks on seeds 0-9 (issue 15).

Issue 15 quotes CMC's search-split frontier area as 63.32: that is CMC on
seeds 0-9 (on all 100 seeds, what the loop and ``search_jobs.py`` use, it is
63.00). This script puts each pick of the runs under DIR (the ``--out`` of
``search_jobs.py``) on that same footing: the search's fitness (store-mean
frontier area over 100k-600k tokens) of the pick's grid on seeds 0-9, run
sandboxed as the loop runs candidates, beside CMC's on the same seeds. Only
the search split is opened. Usage::

    AUTOTTS_DATA=../shared/replay python bench/ten_seed_area.py --out DIR
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from autotts.controllers.spec import ControllerSpec
from autotts.discovery.proposers.search.fitness import fitness
from autotts.discovery.round.scoring import curves_of
from autotts.discovery.run.directory import open_run
from autotts.discovery.sandbox.evaluate import evaluate_candidate
from autotts.evaluation.runner import Cell, run_cells

SEEDS = list(range(10))


def pick_area(rundir: Path, rnd: int) -> float | None:
    """The fitness of round ``rnd``'s whole grid on seeds 0-9 (None when unscorable)."""
    run = open_run(rundir)
    rdir = rundir / "rounds" / f"r{rnd:04d}"
    st = json.loads((rdir / "state.json").read_text())
    res = evaluate_candidate((rdir / "candidate.py").read_text(), st["class_name"],
                             run.search_stores, st["grid"], SEEDS, run.sandbox())
    fit = fitness(curves_of(res.cells))
    return fit[0] if fit else None


def cmc_area(rundir: Path) -> float:
    """CMC's fitness over the run's beta grid on seeds 0-9."""
    run = open_run(rundir)
    cells = [Cell(r["name"], r["path"], ControllerSpec("cmc", params={"beta": b}))
             for r in run.store_refs("search") for b in run.cfg.run.betas]
    curves: dict[str, list[dict]] = {}
    for c, r in zip(cells, run_cells(cells, seeds=len(SEEDS), workers=run.workers())):
        curves.setdefault(c.env, []).append({"beta": c.spec.params["beta"],
                                             "accuracy": r.accuracy, "tokens": r.tokens})
    return fitness(curves)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="the --out of search_jobs.py")
    args = ap.parse_args()
    runs = sorted(p for p in args.out.iterdir() if (p / "final" / "selection.json").is_file())
    if not runs:
        raise SystemExit(f"{args.out}: no finished run (final/selection.json)")
    print(f"CMC on seeds 0-9: {cmc_area(runs[0]):.2f}")
    for rundir in runs:
        picks = json.loads((rundir / "final" / "selection.json").read_text())["picks"]
        for rnd in sorted({r for r in picks.values() if r is not None}):
            rules = ", ".join(k for k, v in picks.items() if v == rnd)
            area = pick_area(rundir, rnd)
            text = "no usable curve" if area is None else f"{area:.2f}"
            print(f"{rundir.name} r{rnd} ({rules}): {text}")


if __name__ == "__main__":
    main()
