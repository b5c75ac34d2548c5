"""(e) Start-up: whole-process wall time of short commands (issue 14).

Each command runs as a fresh process exactly as the ``autotts`` console
script would (``from autotts.cli.main import main; main()``), with this
checkout's ``src`` first on the path. One unrecorded warm-up run fills the
OS file cache, numba's kernel cache, the Beta-confidence table cache and the
compiled-store cache; then every figure is the median of ``--repeats`` runs,
with the CPU seconds (user + sys of the child) next to the wall time, because
CPU time is what other jobs on a shared machine cannot inflate much.

    python bench/bench_startup.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

from common import ROOT, data_dir, write_results

ENTRY = "from autotts.cli.main import main; main()"
COMMANDS = {
    "autotts --help": (["--help"], 0.3),
    "autotts controllers": (["controllers"], 0.3),
    "autotts eval (CMC beta=0.5, Qwen3-8B/aime24, 100 seeds)":
        (["eval", "--env", "Qwen3-8B/aime24", "--controller", "cmc", "--set", "beta=0.5"], 1.5),
    "same eval, --workers 1":
        (["eval", "--env", "Qwen3-8B/aime24", "--controller", "cmc", "--set", "beta=0.5",
          "--workers", "1"], 1.5),
}


def run_once(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Wall and CPU seconds of one fresh process; raises if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", ENTRY, *args], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"seconds": wall, "cpu_s": cpu, "load1": load}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    opts = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "AUTOTTS_DATA": str(data_dir())}
    figures = {}
    for label, (args, target) in COMMANDS.items():
        run_once(args, env)  # warm-up, not recorded
        runs = [run_once(args, env) for _ in range(opts.repeats)]
        wall = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu_s"] for r in runs)
        loads = [r["load1"] for r in runs]
        figures[label] = {"target_s": target, "median_s": wall, "median_cpu_s": cpu,
                          "runs": runs}
        print(f"{label:<58} wall {wall:.3f} s  cpu {cpu:.3f} s  (target {target} s, "
              f"load {min(loads):.1f}-{max(loads):.1f})")
    write_results("startup", {"repeats": opts.repeats, "figures": figures})


if __name__ == "__main__":
    main()
