"""(j) The README's main job end to end (issue 29): wall time, median of ``--repeats``.

Each run is the README's command, ``autotts discover --budget-minutes 20``, in a
fresh process with a fresh run directory (``--run-dir``), the stores already
present, numba's cache warm (one unrecorded warm-up run first, unless
``--no-warm``). Every run's picks are compared: the job is deterministic for a
run seed, so all runs must pick the same rounds with the same held-out
verdict. Results: ``bench/results/main_job.json``::

    AUTOTTS_DATA=../shared/replay python bench/bench_main_job.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, loads, timed, write_results


def one_job(run_dir: Path, extra: list[str]) -> dict:
    """The main job into ``run_dir``; returns its selection (the picks)."""
    if run_dir.exists():
        shutil.rmtree(run_dir)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    subprocess.run([sys.executable, "-c", "from autotts.cli.main import main; main()",
                    "discover", "--budget-minutes", "20",
                    "--run-dir", str(run_dir), *extra], check=True, env=env, cwd=str(ROOT),
                   stdout=subprocess.DEVNULL)
    return json.loads((run_dir / "final" / "selection.json").read_text())["picks"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-warm", action="store_true", help="Skip the unrecorded warm-up run.")
    ap.add_argument("--extra", default="", help="More `autotts discover` options (quoted).")
    a = ap.parse_args()
    extra = a.extra.split()
    tmp = Path(tempfile.mkdtemp(prefix="bench-main-job-"))
    if not a.no_warm:
        one_job(tmp / "warm", extra)
    picks: list[dict] = []
    runs = timed(lambda: picks.append(one_job(tmp / "run", extra)), a.repeats)
    same = all(p == picks[0] for p in picks)
    write_results("main_job", {"command": "autotts discover --budget-minutes 20 " + a.extra,
                               "repeats": a.repeats, "wall": runs, "picks": picks,
                               "same_picks": same})
    print(f"main job: median {runs['median_s'] / 60:.1f} min over {a.repeats} runs "
          f"(load {loads(runs)}), same picks in every run: {same}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
