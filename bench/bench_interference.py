"""Cost of the judge's interference check (issue 26), and why not "design 2".

1. Overhead: a default search round's grid -- the search split (4 stores),
   11 betas, 100 seeds, 30 questions each: 132,000 episodes -- of the
   search's CMC-like seed design, evaluated sandboxed as the loop does
   (``evaluate_candidate``, all cores as workers), with the check off and on
   (688 sampled episodes, "alone" and "twin" jobs). Median of ``--repeats``
   runs each, alternated.
2. Design 2 ("nothing unrevealed in the child": the parent holds the data and
   answers every revealing action over a pipe): the Python pipe round trip
   on this machine (64-byte message and reply, a child echoing), and the
   revealing actions (BRANCH, CONTINUE, full read) per episode of the same
   grid (in process, on seeds 0-9), giving the pipe time one grid would add.

    AUTOTTS_DATA=../shared/replay python bench/bench_interference.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from autotts.controllers.spec import ControllerSpec
from autotts.data.catalog import SEARCH_SPLIT
from autotts.discovery.proposers.search.codegen import CLASS_NAME, render
from autotts.discovery.proposers.search.designs import seed_genome
from autotts.discovery.sandbox.evaluate import SandboxSettings, evaluate_candidate
from autotts.discovery.sandbox.process import Limits, detect_isolation
from autotts.discovery.sandbox.recording import RecordingEpisode
from autotts.env.store import load_store
from autotts.evaluation.protocol import shuffled_order
from common import store_file, write_results

BETAS = [round(0.1 * i, 1) for i in range(11)]
SEEDS = list(range(100))


def _round(source: str, stores, check: bool) -> dict:
    """One sandboxed evaluation of the grid; its wall seconds and the check's."""
    sb = SandboxSettings(Limits(cpu_s=900, memory_mb=4096), detect_isolation("auto"),
                         workers=os.cpu_count() or 1, interference_check=check)
    t0 = time.perf_counter()
    res = evaluate_candidate(source, CLASS_NAME, stores, [{"beta": b} for b in BETAS], SEEDS, sb)
    wall = time.perf_counter() - t0
    if res.error:
        raise SystemExit(f"the evaluation failed: {res.error[:500]}")
    checks = [j["wall_s"] for j in res.jobs if j.get("check")]
    return {"seconds": wall, "check_jobs_s": checks, "load1": os.getloadavg()[0]}


def pipe_round_trip(n: int = 20000, batches: int = 5) -> float:
    """Median seconds of one 64-byte request/reply over a pair of pipes to a
    forked child that echoes (a lower bound on any per-action RPC)."""
    a_r, a_w = os.pipe()
    b_r, b_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(a_w)
        os.close(b_r)
        while (msg := os.read(a_r, 64)) != b"q" * 64:
            os.write(b_w, msg)
        os._exit(0)
    os.close(a_r)
    os.close(b_w)
    msg, out = b"x" * 64, []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(n):
            os.write(a_w, msg)
            os.read(b_r, 64)
        out.append((time.perf_counter() - t0) / n)
    os.write(a_w, b"q" * 64)
    os.waitpid(pid, 0)
    return statistics.median(out)


class CountingEpisode(RecordingEpisode):
    """Counts the revealing actions: every step (open takes one) and full read."""

    __slots__ = ("actions",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = 0

    def step(self, i):
        self.actions += 1
        return RecordingEpisode.step(self, i)

    def read_full(self):
        self.actions += 1
        return RecordingEpisode.read_full(self)


def actions_per_episode(source_file: str, stores, seeds: int = 10) -> float:
    """Mean revealing actions per episode of the grid on seeds 0..seeds-1."""
    total = n = 0
    for b in BETAS:
        ctrl = ControllerSpec(file=f"{source_file}:{CLASS_NAME}", params={"beta": b}).build()
        for st in stores:
            for s in range(seeds):
                for q in st.questions:
                    ep = CountingEpisode(q, shuffled_order(s, q.n_branches), max_branches=64)
                    ctrl.solve(ep)
                    total, n = total + ep.actions, n + 1
    return total / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    stores = [load_store(store_file(name), name=name) for name in SEARCH_SPLIT]
    source = render(seed_genome("cmc"))
    runs: dict[str, list[dict]] = {"off": [], "on": []}
    for _ in range(args.repeats):
        for mode in ("off", "on"):
            runs[mode].append(_round(source, stores, mode == "on"))
            print(mode, f"{runs[mode][-1]['seconds']:.1f} s", runs[mode][-1]["check_jobs_s"])
    off = statistics.median(r["seconds"] for r in runs["off"])
    on = statistics.median(r["seconds"] for r in runs["on"])
    rtt = pipe_round_trip()
    path = "/tmp/bench_interference_candidate.py"
    with open(path, "w") as fh:
        fh.write(source)
    acts = actions_per_episode(path, stores)
    episodes = len(BETAS) * len(SEEDS) * sum(len(s.questions) for s in stores)
    payload = {"grid": {"stores": list(SEARCH_SPLIT), "betas": BETAS, "seeds": len(SEEDS),
                        "episodes": episodes, "candidate": "render(seed_genome('cmc'))"},
               "off_median_s": off, "on_median_s": on, "overhead": on / off - 1, "runs": runs,
               "pipe_round_trip_s": rtt, "revealing_actions_per_episode": acts,
               "design2_pipe_s_per_grid": rtt * acts * episodes}
    print(f"check off {off:.1f} s, on {on:.1f} s: +{100 * (on / off - 1):.1f}%")
    print(f"pipe round trip {1e6 * rtt:.1f} us; {acts:.1f} revealing actions per episode; "
          f"design 2 adds >= {rtt * acts * episodes:.1f} s of pipe time per grid "
          f"({episodes} episodes)")
    write_results("interference", payload)


if __name__ == "__main__":
    main()
