"""(g) The compiled design kernel (issue 29) against the readable path.

1. The 100-seed search-split grid of an archived design (4 aime24 stores x
   11 betas x 100 seeds x 30 questions = 132k episodes), each run a fresh
   process (start-up, store loading, numba loading its cached machine code,
   grading): the kernel (``sandbox/generated.evaluate_generated``, what the
   loop now runs for a byte-identical generated candidate) against the
   sandboxed readable file (``evaluate_candidate``, 2 jobs). The cells of the
   two are checked equal.
2. Screening: designs screened per minute (4 stores x 11 betas x 2 seeds, the
   search's first fidelity), ``Screener`` with 2 workers, kernel against
   ``AUTOTTS_NO_FAST=1``; the curves are checked equal.

Median of ``--repeats`` (default 5) runs on this machine in one invocation;
each run also records its CPU seconds (``cpu_s``). For the sandboxed grid that
figure leaves out the sandboxed workers (they run in bwrap's PID namespace and
are not counted to the job), so it is no measure of the readable path's work::

    python bench/bench_design_kernel.py [--round results/search-v2/default-s0/rounds/r0003]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, loads, store_file, timed, write_results

STORES = tuple(f"Qwen3-{m}/aime24" for m in ("0.6B", "1.7B", "4B", "8B"))
BETAS = [round(0.1 * i, 1) for i in range(11)]
DEFAULT_ROUND = ROOT / "results" / "search-v2" / "default-s0" / "rounds" / "r0003"


def grid_job(path: str, mode: str, seeds: int, out: str) -> None:
    """One whole grid in this (fresh) process; writes the cells as JSON to ``out``."""
    from dataclasses import asdict

    from autotts.discovery.sandbox.evaluate import SandboxSettings, evaluate_candidate
    from autotts.discovery.sandbox.generated import evaluate_generated
    from autotts.discovery.sandbox.process import Limits, detect_isolation
    from autotts.env.store import load_store

    source = Path(path).read_text()
    stores = [load_store(store_file(s), name=s) for s in STORES]
    sb = SandboxSettings(Limits(cpu_s=900, memory_mb=4096, output_bytes=65536),
                         detect_isolation("auto"), workers=2)
    grid = [{"beta": b} for b in BETAS]
    args = (source, "SearchController", stores, grid, list(range(seeds)), sb)
    res = evaluate_generated(*args) if mode == "kernel" else evaluate_candidate(*args)
    assert res is not None and res.error is None, res and res.error
    Path(out).write_text(json.dumps([asdict(c) for c in res.cells]))


def _grid(path: Path, mode: str, seeds: int, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "AUTOTTS_LEAN_NUMBA": "1"}
    subprocess.run([sys.executable, __file__, "--job", mode, "--round", str(path),
                    "--seeds", str(seeds), "--out", str(out)], check=True, env=env,
                   cwd=str(ROOT / "bench"))


def screen_designs(n: int, seed: int) -> list[dict]:
    from autotts.discovery.proposers.search import designs
    rng = random.Random(seed)
    return list(designs.SEEDS.values()) + [designs.random_genome(rng) for _ in range(n - 4)]


def _screen(genomes, fast: bool):
    from autotts.discovery.proposers.search.screen import Screener
    os.environ["AUTOTTS_NO_FAST"] = "" if fast else "1"
    screener = Screener({s: store_file(s) for s in STORES}, BETAS, workers=2)
    try:
        return screener.curves(genomes, [0, 1])
    finally:
        screener.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--round", type=Path, default=DEFAULT_ROUND)
    ap.add_argument("--seeds", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--designs", type=int, default=12)
    ap.add_argument("--job", choices=["kernel", "sandbox"])
    ap.add_argument("--out")
    a = ap.parse_args()
    if a.job:
        return grid_job(str(a.round / "candidate.py"), a.job, a.seeds, a.out)
    tmp = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-design-{os.getpid()}"
    tmp.mkdir(exist_ok=True)
    _grid(a.round, "kernel", 2, tmp / "warm.json")  # numba's cache is warm from here on
    kernel = timed(lambda: _grid(a.round, "kernel", a.seeds, tmp / "k.json"), a.repeats)
    readable = timed(lambda: _grid(a.round, "sandbox", a.seeds, tmp / "s.json"), a.repeats)
    same_grid = (tmp / "k.json").read_text() == (tmp / "s.json").read_text()
    genomes = screen_designs(a.designs, seed=1)
    curves = {}
    sk = timed(lambda: curves.__setitem__("k", _screen(genomes, True)), a.repeats)
    sr = timed(lambda: curves.__setitem__("r", _screen(genomes, False)), a.repeats)
    payload = {
        "round": str(a.round.relative_to(ROOT)) if a.round.is_relative_to(ROOT) else str(a.round),
        "seeds": a.seeds, "repeats": a.repeats,
        "grid": {"kernel": kernel, "readable_sandboxed": readable, "identical": same_grid,
                 "speedup": readable["median_s"] / kernel["median_s"]},
        "screening": {"designs": len(genomes), "kernel": sk, "readable": sr,
                      "identical": curves["k"] == curves["r"],
                      "designs_per_min_kernel": 60 * len(genomes) / sk["median_s"],
                      "designs_per_min_readable": 60 * len(genomes) / sr["median_s"]},
        "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    write_results("design_kernel", payload)
    g, s = payload["grid"], payload["screening"]
    print(f"grid ({a.seeds} seeds): kernel {kernel['median_s']:.1f} s, sandboxed readable "
          f"{readable['median_s']:.1f} s, {g['speedup']:.1f}x, identical {same_grid} "
          f"(load {loads(kernel)} / {loads(readable)}); kernel CPU {kernel['median_cpu_s']:.1f} s")
    print(f"screening: {s['designs_per_min_kernel']:.0f} vs {s['designs_per_min_readable']:.0f} "
          f"designs/min, identical {s['identical']}")


if __name__ == "__main__":
    main()
