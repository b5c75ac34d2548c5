"""(a) CMC over 11 betas x the 4 search stores (Qwen3-*/aime24) x 100 seeds.

Times the exact fast path (numba kernels when installed) with 1 and 2
workers, and, with --candidate, the same sweep through the generic episode
loop (``fast=False``): what a candidate written as plain Python in the
style of CMC costs. Every figure is the median of --repeats runs.

    python bench/bench_cmc_sweep.py [--repeats 3] [--candidate]
"""

from __future__ import annotations

import argparse

from autotts.controllers.spec import ControllerSpec
from autotts.evaluation.executors import close_pools
from autotts.evaluation.runner import Cell, run_cells
from common import loads, store_file, timed, write_results

STORES = [f"Qwen3-{m}/aime24" for m in ("0.6B", "1.7B", "4B", "8B")]
BETAS = [round(k / 10, 1) for k in range(11)]


def cells() -> list[Cell]:
    return [Cell(env, store_file(env), ControllerSpec("cmc", params={"beta": b}))
            for env in STORES for b in BETAS]


def sweep(workers: int, fast: bool) -> None:
    close_pools()  # every run pays its own process start-up, as a fresh command would
    run_cells(cells(), seeds=100, workers=workers, fast=fast)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    ap.add_argument("--candidate", action="store_true",
                    help="also time the generic episode path (slow: minutes per run)")
    args = ap.parse_args()
    figures = {}
    for workers in (1, 2):
        figures[f"fast, {workers} worker(s)"] = timed(lambda: sweep(workers, True), args.repeats)
    if args.candidate:
        figures["generic episode path (plain-Python candidate), 2 workers"] = timed(
            lambda: sweep(2, False), args.repeats)
    for name, r in figures.items():
        print(f"{name}: {r['median_s']:.2f} s (load {loads(r)})")
    write_results("cmc_sweep", {"what": "CMC 11 betas x 4 aime24 stores x 100 seeds",
                                "cells": len(cells()), "figures": figures})


if __name__ == "__main__":
    main()
