"""(f) Generated candidates: a discovery run's archived candidates against
the same designs rendered by this checkout's code generator.

The built-in search writes every candidate as plain Python that copies the
building blocks of ``controllers/branches.py`` and ``discovery/search``; a
change to those blocks reaches only candidates generated after it. For each
round of RUN whose proposal carries a search genome, this times the archived
``candidate.py`` and the genome rendered now, on the four aime24 stores, 11
betas and ``--seeds`` seeds (generic episode path, one process), checks the
two give identical results (correct answers and tokens of every question)
and reports the median of ``--repeats`` runs::

    python bench/bench_generated.py RUN [--seeds 5] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from autotts.discovery.proposers.search.codegen import render
from autotts.discovery.proposers.search.screen import _controller_class
from autotts.discovery.proposers.search.space import normalize
from autotts.env.store import load_store
from autotts.evaluation.protocol import protocol_block
from common import loads, store_file, timed, write_results

STORES = tuple(f"Qwen3-{m}/aime24" for m in ("0.6B", "1.7B", "4B", "8B"))
BETAS = tuple(round(0.1 * i, 1) for i in range(11))


def grid(cls, stores, seeds: tuple[int, ...]) -> list:
    """Per (store, beta): correct answers and tokens of every (seed, question)."""
    out = []
    for store in stores:
        for beta in BETAS:
            block = protocol_block(store, cls(beta=beta), seeds)
            out.append((block.correct.tolist(), list(block.total_cost)))
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run", type=Path, help="A discovery run directory (rounds/rNNNN/state.json).")
    p.add_argument("--seeds", type=int, default=5, help="Seeds per cell (5).")
    p.add_argument("--repeats", type=int, default=3, help="Timed runs per candidate (3).")
    args = p.parse_args(argv)
    stores = [load_store(store_file(s), name=s) for s in STORES]
    seeds = tuple(range(args.seeds))
    rows = []
    for state in sorted(args.run.glob("rounds/r*/state.json")):
        genome = (json.loads(state.read_text()).get("proposal_meta") or {}).get("genome")
        if genome is None:
            continue
        archived = _controller_class((state.parent / "candidate.py").read_text())
        current = _controller_class(render(normalize(genome)))
        same = grid(archived, stores, seeds) == grid(current, stores, seeds)
        t_old = timed(lambda: grid(archived, stores, seeds), args.repeats)  # noqa: B023
        t_new = timed(lambda: grid(current, stores, seeds), args.repeats)  # noqa: B023
        rows.append({"round": state.parent.name, "identical": same, "archived": t_old,
                     "current": t_new, "speedup": t_old["median_s"] / t_new["median_s"]})
        print(f"{state.parent.name}: archived {t_old['median_s']:.2f} s, current "
              f"{t_new['median_s']:.2f} s (x{rows[-1]['speedup']:.2f}, load {loads(t_new)}), "
              f"identical results: {same}")
    if not rows:
        raise SystemExit(f"no round with a search genome under {args.run}")
    write_results("generated", {"run": str(args.run), "seeds": args.seeds, "stores": STORES,
                                "betas": BETAS, "rounds": rows})


if __name__ == "__main__":
    main()
