"""``[run] executor = "ray"``: the search's screening, the generated designs'
grids and the baselines run as Ray tasks on a local multi-node cluster (a
head with no CPU and worker nodes, all started here), with the local path's
numbers; a run whose worker node is killed mid-round finishes with the same
numbers (Ray runs the lost tasks again on the node that replaces it).

Each test starts and tears down its own cluster (about 10 s here); each wait
is bounded.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import asdict

import pytest

from autotts.discovery.proposers.search import compiled, remote
from autotts.discovery.proposers.search.codegen import render
from autotts.discovery.proposers.search.designs import random_genome, seed_genome
from autotts.discovery.proposers.search.proposer import SearchProposer
from autotts.discovery.proposers.search.screen import Screener
from autotts.discovery.round.state import round_states
from autotts.discovery.sandbox.evaluate import SandboxSettings
from autotts.discovery.sandbox.generated import evaluate_generated
from autotts.discovery.sandbox.process import Limits, detect_isolation
from autotts.evaluation.executors import RayExecutor

ray = pytest.importorskip("ray", reason="the Ray tests need the ray extra: "
                                        "pip install 'autotts-scaling[ray]'")
from ray.cluster_utils import Cluster  # noqa: E402 - only once ray is known to be there

pytestmark = pytest.mark.skipif(not compiled.available(), reason="needs numba")

NODE = {"num_cpus": 1, "object_store_memory": 80 * 2**20}
# a dead node is noticed within about 2 s (Ray's default is about 30 s)
FAST_DEATH = {"health_check_initial_delay_ms": 0, "health_check_period_ms": 500,
              "health_check_timeout_ms": 500, "health_check_failure_threshold": 3}
SMALL = {"population": 4, "per_round": 5, "batch": 3, "promote": 1, "promote_seeds": 2,
         "token_lo": 1_000, "token_hi": 20_000}


@contextmanager
def local_cluster(workers: int = 1):
    """A head (no CPU: every task runs on a worker node) and ``workers`` nodes of
    one CPU on this machine, this process connected; always torn down."""
    cluster = None
    try:
        cluster = Cluster(initialize_head=True, head_node_args={
            "num_cpus": 0, "object_store_memory": 80 * 2**20, "include_dashboard": False,
            "_system_config": FAST_DEATH})
        nodes = [cluster.add_node(**NODE) for _ in range(workers)]
        cluster.wait_for_nodes(timeout=60)
        ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
        yield cluster, nodes
    finally:
        ray.shutdown()
        if cluster is not None:
            cluster.shutdown()


def _screen(stores, genomes, executor):
    screener = Screener(stores, (0.0, 0.5, 1.0), workers=2, executor=executor)
    try:
        return screener.curves(genomes, [0, 1, 2])
    finally:
        screener.close()


def _grid(stores, genome, executor):
    sb = SandboxSettings(Limits(cpu_s=60, memory_mb=2048), detect_isolation("auto"), workers=2,
                         trace_questions=2)
    grid = [{"beta": b} for b in (0.0, 0.4, 1.0)]
    res = evaluate_generated(render(genome), "SearchController", stores, grid, [0, 1, 2, 3], sb,
                             trace_settings=[grid[-1]], executor=executor)
    return [asdict(c) for c in res.cells], res.traces, res.jobs[0]["isolation"]


def test_screening_grids_and_a_run_on_ray_equal_the_local_path(synth_data, make_run,
                                                                monkeypatch):
    from autotts.env.store import load_store

    paths = {n: str(synth_data / f"{n}.json") for n in ("ModelA/aime24", "ModelB/aime24")}
    stores = [load_store(p, name=n) for n, p in paths.items()]
    genomes = [seed_genome("cmc"), random_genome(random.Random(5)),
               random_genome(random.Random(6))]
    local_curves = _screen(paths, genomes, None)
    local_grid = _grid(stores, genomes[1], None)
    with monkeypatch.context() as mp:
        mp.setenv(compiled.NO_FAST_ENV, "1")  # the readable cells, the other screening path
        readable = _screen(paths, genomes, None)
    local_run = _run_one_round(make_run, "local")
    with local_cluster(workers=2) as (cluster, _):
        # a whole round as config.toml asks: [run] executor = "ray", ray_address = ...
        on_ray, where = _run_one_round(make_run, "ray", executor="ray",
                                       ray_address=cluster.address)
        assert on_ray == local_run[0] and on_ray["status"] == "ok"
        assert "RayExecutor tasks" in where and "RayExecutor" not in local_run[1]
        executor = RayExecutor()
        assert executor.workers == 2
        assert _screen(paths, genomes, executor) == local_curves
        cells, traces, isolation = _grid(stores, genomes[1], executor)
        assert (cells, traces) == local_grid[:2]
        assert "RayExecutor tasks" in isolation["detail"]
        with monkeypatch.context() as mp:
            mp.setenv(compiled.NO_FAST_ENV, "1")
            assert _screen(paths, genomes, executor) == readable
        # another process joins the cluster by its address, as `--ray-address` does
        assert _screen_elsewhere(cluster.address, paths, genomes[:1]) == local_curves[:1]


def _screen_elsewhere(address, paths, genomes):
    """Screening from a fresh Python process connected to the cluster at ``address``."""
    code = ("import json, sys\n"
            "from autotts.discovery.proposers.search.screen import Screener\n"
            "from autotts.evaluation.executors import RayExecutor\n"
            "paths, genomes = json.loads(sys.stdin.read())\n"
            f"ex = RayExecutor(address={address!r})\n"
            "print(json.dumps(Screener(paths, (0.0, 0.5, 1.0), executor=ex)"
            ".curves(genomes, [0, 1, 2])))\n")
    out = subprocess.run([sys.executable, "-c", code], input=json.dumps([paths, genomes]),
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


class KillsItsNode(RayExecutor):
    """The Ray executor, killing the only worker node once the round's first
    screening task is back (the rest still to run) and starting a fresh one:
    only the moment of the kill is the test's, the retries are Ray's."""

    def __init__(self, cluster, doomed):
        super().__init__()
        self.cluster, self.doomed, self.killed_with_left = cluster, doomed, None

    def map(self, fn, tasks, on_done=None):
        if fn is not remote.design_points or self.killed_with_left is not None:
            return super().map(fn, tasks, on_done)
        done = []

        def kill_once():
            done.append(1)
            if len(done) == 1:
                self.killed_with_left = len(tasks) - 1
                self.cluster.remove_node(self.doomed, allow_graceful=False)
                self.cluster.add_node(**NODE)
                self.cluster.wait_for_nodes(timeout=60)  # bounded: raises, never hangs
        return super().map(fn, tasks, kill_once)


def _run_one_round(make_run, name, inject=None, **cfg):
    """A one-round run of the search; its numbers, and where its grid ran."""
    from autotts.discovery.loop import run_loop

    run = make_run(name, rounds=1, seed=3, proposer="search", proposer_settings=SMALL, **cfg)
    if inject is not None:
        run.executor = inject  # the run's Ray executor, as [run] executor = "ray" makes
    proposer = SearchProposer(**SMALL)
    try:
        run_loop(run, proposer)
    finally:
        proposer.close()
    (st,) = round_states(run)
    results = json.loads((run.dir / "rounds" / "r0001" / "results.json").read_text())
    baselines = json.loads((run.dir / "baselines" / "search.json").read_text())
    numbers = {"status": st["status"], "screening": st["proposal_meta"], "score": st["score"],
               "cells": results["cells"], "baselines": baselines}
    return numbers, st["isolation"]["detail"]


def test_a_round_survives_its_worker_node_being_killed(make_run):
    local, _ = _run_one_round(make_run, "local")
    with local_cluster(workers=1) as (cluster, (doomed,)):
        killer = KillsItsNode(cluster, doomed)
        on_ray, _ = _run_one_round(make_run, "ray", inject=killer)
        alive = [n for n in ray.nodes() if n["Alive"]]
    assert killer.killed_with_left and killer.killed_with_left > 0  # killed mid-screening
    assert len(alive) == 2 and doomed.unique_id not in {n["NodeID"] for n in alive}
    assert on_ray["status"] == "ok"
    assert on_ray == local  # screening, score, cells and baselines: the same numbers
