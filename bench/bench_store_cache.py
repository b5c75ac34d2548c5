"""(j) The compiled-store cache: CPU time of loading the 4 aime24 stores.

Three ways, each the median of ``--repeats`` rounds in this one process
(imports and the OS file cache warmed first, so only loading is timed, with
``time.process_time``): the cache off (gzip, JSON, validation and
compilation, as before the cache), cold (an empty cache folder: the same,
plus writing the entries) and warm (every entry there). The warm stores are
checked equal to the uncached ones, array by array::

    python bench/bench_store_cache.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time

import numpy as np

from common import store_file, write_results

STORES = tuple(f"Qwen3-{m}/aime24" for m in ("0.6B", "1.7B", "4B", "8B"))


def load_all(**kw) -> tuple[float, list]:
    from autotts.env.store import load_store

    t0 = time.process_time()
    stores = [load_store(store_file(s), name=s, **kw) for s in STORES]
    return time.process_time() - t0, stores


def same(a, b) -> bool:
    fields = ("index", "text", "gold", "gold_id", "delta", "labels")
    arrays = ("probes", "n_probes", "tokens", "finals")
    return all(getattr(x, f) == getattr(y, f) for x, y in zip(a.questions, b.questions)
               for f in fields) and all(
        getattr(x, f).dtype == getattr(y, f).dtype and np.array_equal(getattr(x, f), getattr(y, f))
        for x, y in zip(a.questions, b.questions) for f in arrays)


def one_round() -> dict[str, float]:
    off, plain = load_all(cache=False)
    folder = tempfile.mkdtemp(prefix="store-cache-bench-")
    os.environ["AUTOTTS_STORE_CACHE"] = folder
    try:
        cold, _ = load_all()
        warm, cached = load_all()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert all(same(a, b) for a, b in zip(plain, cached)), "cached stores differ"
    return {"off_cpu_s": off, "cold_cpu_s": cold, "warm_cpu_s": warm,
            "load1": os.getloadavg()[0]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    load_all(cache=False)  # imports and the OS file cache
    runs = [one_round() for _ in range(args.repeats)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0] if k != "load1"}
    loads = [r["load1"] for r in runs]
    for k, v in med.items():
        print(f"{k}: {v * 1e3:.1f} ms")
    print(f"load {min(loads):.1f}-{max(loads):.1f}")
    write_results("store_cache", {"stores": list(STORES), "repeats": args.repeats,
                                  "median": med, "runs": runs})


if __name__ == "__main__":
    main()
