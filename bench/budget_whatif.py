"""Would a finished run have started more rounds without its round cap?

Replays the loop's wall-budget rule (``autotts.discovery.loop.cap_reached``,
with this checkout's estimates) at every round boundary of finished runs,
from the times they recorded: the seconds spent (baselines plus the rounds
so far), the estimate of one more round plus selection, held-out and
report, and whether the budget would have let the next round start. The
last line of each run answers the question for the round after its last.
Nothing is evaluated::

    python bench/budget_whatif.py RUN [RUN ...]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from autotts.discovery.loop import cap_reached
from autotts.discovery.run.budget import Budget
from autotts.discovery.run.directory import open_run


def boundaries(run_dir: Path) -> list[dict]:
    """One row per finished round k: spent seconds and the verdict on round k + 1."""
    run = open_run(run_dir)
    states = sorted((json.loads(p.read_text()) for p in run_dir.glob("rounds/r*/state.json")),
                    key=lambda s: s["round"])
    done = [s for s in states if s.get("phase") == "done"]
    base = float(run.meta.get("baselines_wall_s", 0.0))
    rows = []
    for k in range(1, len(done) + 1):
        spent = base + sum(s["wall_s"] for s in done[:k])
        budget = Budget(60 * run.cfg.caps.wall_minutes, spent_before_s=spent)
        why = cap_reached(run, done[:k], budget)
        rows.append({"after_round": k, "spent_min": round(spent / 60, 2),
                     "next_round": "stop" if why else "start", "why": why or ""})
    return rows


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("runs", type=Path, nargs="+", help="Finished discovery run directories.")
    args = p.parse_args(argv)
    for run_dir in args.runs:
        print(f"{run_dir}:")
        for r in boundaries(run_dir):
            print(f"  after round {r['after_round']}: {r['spent_min']:.1f} min spent, "
                  f"next round would {r['next_round']}" + (f" ({r['why']})" if r["why"] else ""))


if __name__ == "__main__":
    main()
