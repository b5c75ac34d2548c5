"""What the built-in search's own fitness would pick in finished search jobs (issue 15).

Before issue 15's last change the loop handed over two picks: the round with
the best mean search accuracy (the paper's rule) and the one with the largest
frontier area on each store's SC@64 range (ours). The built-in search ranks
designs by another measure, its fitness: the frontier area of the store-mean
curve over 100k-600k tokens; the loop now makes that its second pick for
search runs ("fitness", instead of "area"). For runs made before, this script
applies that rule, fixed before any held-out number of the rounds it picks was
seen, to runs made by ``search_jobs.py``: the ok round with the best
fitness on all the loop's seeds (the earlier round on ties). When the run did
not evaluate that round's whole grid on held-out, it is evaluated here as the
loop's finalize would (sandboxed, all seeds) and cached in
``OUT/fitness_pick/<run>-rNNNN.json``; the run directory is not touched. The
verdict is ``search_jobs.py``'s, written to ``OUT/fitness_pick.md``. Usage::

    python bench/fitness_pick.py --out DIR   # DIR: the --out of search_jobs.py
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from autotts.discovery.proposers.search.fitness import fitness
from autotts.discovery.run.directory import open_run
from autotts.discovery.run.files import read_json
from autotts.discovery.sandbox.evaluate import evaluate_candidate
from search_jobs import curves_of, gap_text, held_out_verdict, rated_points, references


def fitness_round(rundir: Path) -> tuple[float, dict]:
    """(fitness on all seeds, state) of the run's best ok round by the search's fitness."""
    scored = []
    for rd in sorted((rundir / "rounds").glob("r*")):
        st = read_json(rd / "state.json")
        if st and st.get("status") == "ok" and (rd / "results.json").is_file():
            fit = fitness(curves_of(json.loads((rd / "results.json").read_text())["cells"]))
            if fit:
                scored.append((fit[0], -st["round"], st))
    area, _, st = max(scored, key=lambda t: t[:2])
    return area, st


def held_out(rundir: Path, st: dict, cache: Path) -> tuple[dict, str]:
    """The round's whole held-out grid: the run's own file, else the cache, else evaluated."""
    own = read_json(rundir / "final" / f"heldout_r{st['round']:04d}.json")
    if own and own.get("full"):
        return own, "the run's own"
    path = cache / f"{rundir.name}-r{st['round']:04d}.json"
    if path.is_file():
        return json.loads(path.read_text()), "evaluated here"
    run = open_run(rundir)
    source = (rundir / "rounds" / f"r{st['round']:04d}" / "candidate.py").read_text()
    res = evaluate_candidate(source, st["class_name"], run.held_out_stores, st["grid"],
                             run.cfg.run.seed_list, run.sandbox())
    doc = {"round": st["round"], "full": True, "grid": st["grid"], **res.to_dict()}
    cache.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return doc, "evaluated here"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, required=True, help="The --out folder of search_jobs.py.")
    p.add_argument("--data", type=Path, default=os.environ.get("AUTOTTS_DATA"),
                   help="Replay store directory (default: $AUTOTTS_DATA).")
    args = p.parse_args(argv)
    if not args.data:
        p.error("--data (or $AUTOTTS_DATA) is required")
    cmc = rated_points(references(args.out, args.data)["held_out"])
    lines = ["| run | fitness pick | search area | held-out best <= CMC b0.5 tokens "
             "| vs CMC at matched tokens | held-out grid |", "|---|---|---|---|---|---|"]
    for rundir in sorted(d for d in args.out.iterdir() if (d / "final").is_dir()):
        area, st = fitness_round(rundir)
        doc, how = held_out(rundir, st, args.out / "fitness_pick")
        best, gaps = held_out_verdict(rated_points(doc["cells"]), cmc)
        held = "none" if best is None else f"{best.accuracy:.2f}% @ {best.tokens / 1e3:.0f}k"
        lines.append(f"| {rundir.name} | r{st['round']} | {area:.2f} | {held} | "
                     f"{gap_text(gaps)} | {how} |")
        print(lines[-1], flush=True)
    (args.out / "fitness_pick.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
