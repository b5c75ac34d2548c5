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
                                        "pip install 'autotts[ray]'")
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


def test_screening_and_grids_on_ray_equal_the_local_path(synth_data, monkeypatch):
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
    with local_cluster(workers=2):
        executor = RayExecutor()
        assert executor.workers == 2
        assert _screen(paths, genomes, executor) == local_curves
        cells, traces, isolation = _grid(stores, genomes[1], executor)
        assert (cells, traces) == local_grid[:2]
        assert "RayExecutor tasks" in isolation["detail"]
        with monkeypatch.context() as mp:
            mp.setenv(compiled.NO_FAST_ENV, "1")
            assert _screen(paths, genomes, executor) == readable


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


def _run_one_round(make_run, name, executor):
    from autotts.discovery.loop import run_loop

    run = make_run(name, rounds=1, seed=3, proposer="search", proposer_settings=SMALL)
    if executor is not None:
        run.executor = executor  # the run's Ray executor, as [run] executor = "ray" makes
    proposer = SearchProposer(**SMALL)
    try:
        run_loop(run, proposer)
    finally:
        proposer.close()
    (st,) = round_states(run)
    results = json.loads((run.dir / "rounds" / "r0001" / "results.json").read_text())
    baselines = json.loads((run.dir / "baselines" / "search.json").read_text())
    return st, results["cells"], baselines


def test_a_round_survives_its_worker_node_being_killed(make_run):
    local_st, local_cells, local_baselines = _run_one_round(make_run, "local", None)
    with local_cluster(workers=1) as (cluster, (doomed,)):
        killer = KillsItsNode(cluster, doomed)
        st, cells, baselines = _run_one_round(make_run, "ray", killer)
        alive = [n for n in ray.nodes() if n["Alive"]]
    assert killer.killed_with_left and killer.killed_with_left > 0  # killed mid-screening
    assert len(alive) == 2 and doomed.unique_id not in {n["NodeID"] for n in alive}
    assert st["status"] == local_st["status"] == "ok"
    assert st["proposal_meta"] == local_st["proposal_meta"]  # the same screening numbers
    assert st["score"] == local_st["score"]
    assert cells == local_cells
    assert baselines == local_baselines
