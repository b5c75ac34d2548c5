"""(d) Scaling: evaluation time against seeds, branches allowed and questions.

One process, one store (Qwen3-1.7B/aime24), fast paths unless noted:

- seeds 10, 100, 1000: CMC beta=0.5 (fast) and the generic episode path (10, 100);
- branches allowed 8..128 (each question cut to its first k branches):
  Parallel-Probe with num_chains = k and CMC beta=1.0;
- questions x1, x2, x4 (the store's questions repeated): CMC beta=0.5.

The log-log slope of time against size says how cost grows (1 = linear).

    python bench/bench_scaling.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import math

from autotts.controllers import make
from autotts.env.store import ReplayStore, load_store
from autotts.evaluation.fast import fast_block, protocol_block
from common import loads, store_file, timed, write_results

STORE = "Qwen3-1.7B/aime24"


def cut(store: ReplayStore, k: int) -> ReplayStore:
    """Each question limited to its first k branches."""
    qs = tuple(dataclasses.replace(q, probes=q.probes[:k], n_probes=q.n_probes[:k],
                                   tokens=q.tokens[:k], finals=q.finals[:k])
               for q in store.questions)
    return ReplayStore(name=f"{store.name}[:{k}]", path=store.path, questions=qs)


def repeat(store: ReplayStore, times: int) -> ReplayStore:
    return ReplayStore(name=f"{store.name}x{times}", path=store.path,
                       questions=store.questions * times)


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of log(time) against log(size)."""
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def series(name: str, sizes, run, repeats: int) -> dict:
    rows = []
    for size in sizes:
        fast_block_warmup = run(size, warm=True)  # compile / build caches outside the timing
        del fast_block_warmup
        r = timed(lambda: run(size), repeats)
        rows.append({"size": size, **r})
        print(f"{name} {size}: {r['median_s']:.3f} s (load {loads(r)})")
    s = slope([(row["size"], row["median_s"]) for row in rows])
    print(f"{name}: log-log slope {s:.2f}")
    return {"points": rows, "loglog_slope": s}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    args = ap.parse_args()
    store = load_store(store_file(STORE), name=STORE)
    cmc05, cmc10 = make("cmc", beta=0.5), make("cmc", beta=1.0)
    out = {}

    def fast(st, c, n_seeds, warm=False):
        return fast_block(st, c, range(2 if warm else n_seeds))

    out["seeds, CMC fast"] = series("seeds/CMC fast", [10, 100, 1000],
                                    lambda n, warm=False: fast(store, cmc05, n, warm), args.repeats)
    out["seeds, CMC generic episode"] = series(
        "seeds/CMC generic", [10, 100],
        lambda n, warm=False: protocol_block(store, cmc05, range(1 if warm else n)), args.repeats)
    cuts = {k: cut(store, k) for k in (8, 16, 32, 64, 128)}
    out["branches, Parallel-Probe(num_chains=k) fast"] = series(
        "branches/PP fast", list(cuts),
        lambda k, warm=False: fast(cuts[k], make("parallel-probe", num_chains=k), 100, warm),
        args.repeats)
    out["branches, CMC beta=1 fast"] = series(
        "branches/CMC fast", list(cuts), lambda k, warm=False: fast(cuts[k], cmc10, 100, warm),
        args.repeats)
    reps = {k: repeat(store, k) for k in (1, 2, 4)}
    out["questions, CMC fast"] = series(
        "questions/CMC fast", [30 * k for k in reps],
        lambda n, warm=False: fast(reps[n // 30], cmc05, 100, warm), args.repeats)
    write_results("scaling", {"what": f"{STORE}, one process", "series": out})


if __name__ == "__main__":
    main()
