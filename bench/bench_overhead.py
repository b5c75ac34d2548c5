"""(c) Episode overhead per CONTINUE with a trivial controller.

The trivial controller opens every branch in turn and steps it until it
finishes; it decides nothing, so the time per CONTINUE is the environment's
own overhead. Measured three ways on one store, 20 seeds:

- ``Episode`` (the generic Python episode, what any controller uses);
- the same loop as a plain-Python kernel on the fast path's flat lists;
- the same kernel compiled by numba (when installed).

    python bench/bench_overhead.py [--repeats 5]
"""

from __future__ import annotations

import argparse

from autotts.env.episode import Episode
from autotts.env.store import load_store
from autotts.evaluation.fast.arrays import seed_orders, store_arrays
from autotts.evaluation.fast.episode_ops import open_branch, step_branch
from autotts.evaluation.fast.jit import kernel, numba_enabled
from autotts.evaluation.protocol import shuffled_order
from common import loads, store_file, timed, write_results

SEEDS = 20


def trivial_solve(ep: Episode) -> int:
    """Open each branch and CONTINUE it to the end; returns the CONTINUEs taken."""
    steps = 0
    for _ in range(ep.branches_left):
        i = ep.open()
        while not ep.is_finished(i):
            ep.step(i)
            steps += 1
    return steps


def episode_loop(store) -> int:
    steps = 0
    for seed in range(SEEDS):
        for q in store.questions:
            steps += trivial_solve(Episode(q, shuffled_order(seed, q.n_branches)))
    return steps


@kernel
def trivial_kernel(orders, n_seeds, n_questions, n_branches, delta, data, br, dep, fin, lat):
    """The trivial controller on flat arrays; returns the CONTINUEs taken."""
    probes, n_probes, tokens, finals, width_d = data
    width = len(br)
    steps = 0
    for s in range(n_seeds):
        for q in range(n_questions):
            ob = (s * n_questions + q) * width
            for i in range(n_branches[q]):
                open_branch(i, orders[ob + i], br, dep, fin, lat)
                step_branch(i, q * width, delta[q], width_d, br, dep, fin, lat, probes,
                            n_probes, tokens, finals)
                while fin[i] == 0:
                    step_branch(i, q * width, delta[q], width_d, br, dep, fin, lat, probes,
                                n_probes, tokens, finals)
                    steps += 1
    return steps


def kernel_args(arrays, orders, as_lists: bool):
    import numpy as np
    probes, n_probes, tokens, finals, n_branches, delta, _ = (
        arrays.as_lists() if as_lists else arrays.kernel_inputs())
    scratch = [[0] * arrays.width if as_lists else np.zeros(arrays.width, dtype=np.int64)
               for _ in range(4)]
    flat = orders.ravel().tolist() if as_lists else orders.ravel()
    return (flat, orders.shape[0], arrays.n_questions, n_branches, delta,
            (probes, n_probes, tokens, finals, arrays.depth), *scratch)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5, help="runs per figure (median)")
    args = ap.parse_args()
    store = load_store(store_file("Qwen3-1.7B/aime24"), name="Qwen3-1.7B/aime24")
    arrays = store_arrays(store)
    orders = seed_orders(arrays, range(SEEDS))
    n_steps = episode_loop(store)
    runs = {"Episode (generic Python)": lambda: episode_loop(store)}
    py_args = kernel_args(arrays, orders, True)
    runs["plain-Python kernel"] = lambda: trivial_kernel.py(*py_args)
    if numba_enabled():
        nb_args = kernel_args(arrays, orders, False)
        assert trivial_kernel.compiled(*nb_args) == n_steps  # compile outside the timing
        runs["numba kernel"] = lambda: trivial_kernel.compiled(*nb_args)
    figures = {}
    for name, fn in runs.items():
        r = timed(fn, args.repeats)
        r["ns_per_continue"] = r["median_s"] / n_steps * 1e9
        figures[name] = r
        print(f"{name}: {r['ns_per_continue']:.1f} ns per CONTINUE (load {loads(r)})")
    write_results("overhead", {"what": "trivial controller, ns per CONTINUE "
                               "(includes the is_finished check and the BRANCH that opens "
                               "each branch, amortised)", "continues": n_steps,
                               "figures": figures})


if __name__ == "__main__":
    main()
