"""The Ray executor on one machine (issue 29): what sending the trusted work
to Ray tasks costs against this machine's own processes, with the results
checked identical.

1. Screening: ``--designs`` designs on the 4 aime24 stores x 11 betas x 2 seeds
   (the search's first fidelity), ``Screener`` with 2 local workers against
   the same screener on Ray (a local Ray of 2 CPUs, started once; its start
   is timed apart).
2. A generated design's 100-seed grid on the 4 stores (``evaluate_generated``):
   2 local threads against 4 Ray tasks.

Each is warmed by one call first, so the figures are steady state (workers
up, stores and the kernel loaded); the local and Ray runs alternate, so both
see the same load. Median of ``--repeats`` (default 5) in one invocation::

    python bench/bench_ray.py
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import asdict

from bench_design_kernel import BETAS, STORES, screen_designs
from common import loads, store_file, timed, write_results


def _grid(genome, stores, executor):
    from autotts.discovery.proposers.search.codegen import render
    from autotts.discovery.sandbox.evaluate import SandboxSettings
    from autotts.discovery.sandbox.generated import evaluate_generated
    from autotts.discovery.sandbox.process import Limits, detect_isolation

    sb = SandboxSettings(Limits(cpu_s=600), detect_isolation("auto"), workers=2)
    res = evaluate_generated(render(genome), "SearchController", stores,
                             [{"beta": b} for b in BETAS], list(range(100)), sb,
                             executor=executor)
    return [asdict(c) for c in res.cells]


def _interleaved(fns: dict, repeats: int) -> dict:
    """``timed`` of each of ``fns``, the runs taken in turn (a, b, a, b, ...), so
    both see the same load on a shared machine."""
    runs = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            runs[name].append(timed(fn, 1)["runs"][0])
    return {name: {"median_s": statistics.median(r["seconds"] for r in rs), "runs": rs}
            for name, rs in runs.items()}


def main() -> None:
    import ray

    from autotts.discovery.proposers.search.screen import Screener
    from autotts.env.store import load_store
    from autotts.evaluation.executors import RayExecutor

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--designs", type=int, default=36)
    a = ap.parse_args()
    genomes = screen_designs(a.designs, seed=1)
    stores = [load_store(store_file(s), name=s) for s in STORES]
    t0 = time.perf_counter()
    executor = RayExecutor(workers=2)
    start_s = time.perf_counter() - t0
    paths = {s: store_file(s) for s in STORES}
    screeners = {"local": Screener(paths, BETAS, workers=2),
                 "ray": Screener(paths, BETAS, workers=2, executor=executor)}
    executors = {"local": None, "ray": executor}
    try:  # one warm-up call each: workers up, stores and the kernel loaded
        curves = {k: sc.curves(genomes, [0, 1]) for k, sc in screeners.items()}
        cells = {k: _grid(genomes[0], stores, ex) for k, ex in executors.items()}
        screen = _interleaved({k: (lambda sc=sc: sc.curves(genomes, [0, 1]))
                               for k, sc in screeners.items()}, a.repeats)
        grid = _interleaved({k: (lambda ex=ex: _grid(genomes[0], stores, ex))
                             for k, ex in executors.items()}, a.repeats)
    finally:
        for sc in screeners.values():
            sc.close()
        ray.shutdown()
    same = curves["local"] == curves["ray"] and cells["local"] == cells["ray"]
    per_min = {k: 60 * len(genomes) / r["median_s"] for k, r in screen.items()}
    write_results("ray_executor", {
        "designs": len(genomes), "repeats": a.repeats, "ray_start_s": start_s,
        "identical": same, "screening": screen, "designs_per_min": per_min,
        "grid_100_seeds": grid})
    print(f"screening {len(genomes)} designs: local {screen['local']['median_s']:.2f} s "
          f"({per_min['local']:.0f}/min), ray {screen['ray']['median_s']:.2f} s "
          f"({per_min['ray']:.0f}/min); load {loads(screen['local'])}")
    print(f"100-seed grid: local {grid['local']['median_s']:.2f} s, ray "
          f"{grid['ray']['median_s']:.2f} s; load {loads(grid['local'])}; ray start "
          f"{start_s:.1f} s; identical {same}")


if __name__ == "__main__":
    main()
