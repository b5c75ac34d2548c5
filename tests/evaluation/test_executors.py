"""run_cells: identical results for any executor, worker count and seed split."""

from __future__ import annotations

import pytest

from autotts.controllers.spec import ControllerSpec
from autotts.evaluation.executors import SerialExecutor, make_executor
from autotts.evaluation.protocol import evaluate
from autotts.evaluation.runner import (
    Cell,
    _chunks,
    plan_tasks,
    run_cell,
    run_cells,
)
from tests.conftest import store_path

SPECS = [ControllerSpec("cmc", params={"beta": 0.4}), ControllerSpec("asc"),
         ControllerSpec("answer-consistency", params={"k": 3, "n": 4})]  # the last: no fast path


@pytest.fixture(scope="module")
def cells(data_dir):
    envs = ["Qwen3-0.6B/aime24", "Qwen3-8B/aime25"]
    return [Cell(env, str(store_path(data_dir, env)), spec) for env in envs for spec in SPECS]


def test_workers_and_fast_path_do_not_change_results(cells):
    serial = run_cells(cells, seeds=6, workers=1)
    assert run_cells(cells, seeds=6, workers=2) == serial
    assert run_cells(cells, seeds=6, workers=1, fast=False) == serial
    assert run_cells(cells, seeds=6, workers=5, executor="serial") == serial


def test_seed_chunks_merge_to_the_protocol_result(cells, real_store):
    """One cell on several workers is split into seed chunks; merged, it is the
    protocol's result, fast path or not, with a probe cost too."""
    for cell in cells[:3]:
        store = real_store(cell.env)
        want = evaluate(store, cell.spec.build(), seeds=7, controller_id=cell.spec.label)
        tasks, _ = plan_tasks([cell], tuple(range(7)), workers=2)
        assert len(tasks) == 6
        assert run_cells([cell], seeds=7, workers=2) == [want]
        assert run_cells([cell], seeds=7, workers=2, fast=False) == [want]
    cell = cells[2]
    want = evaluate(real_store(cell.env), cell.spec.build(), seeds=5, kappa_probe=20,
                    controller_id=cell.spec.label)
    assert run_cells([cell], seeds=5, workers=2, kappa_probe=20) == [want]


def test_traces_use_the_protocol_path(cells):
    r = run_cell(cells[0], 2, traces=True)
    assert r.traces is not None and len(r.traces) == 2 * 30
    assert r.accuracy == run_cell(cells[0], 2).accuracy
    split = run_cells([cells[0]], seeds=2, workers=2, traces=True)[0]
    assert split.traces == r.traces


def test_chunks_cover_seeds_in_order():
    seeds = tuple(range(10))
    for n in (1, 3, 4, 10):
        parts = _chunks(seeds, n)
        assert len(parts) == n and sum(parts, ()) == seeds
        assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_unknown_executor():
    with pytest.raises(ValueError, match="unknown executor"):
        make_executor("threads")
    assert isinstance(make_executor("serial"), SerialExecutor)


@pytest.mark.slow
def test_ray_executor_matches_the_process_pool(cells):
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        want = run_cells(cells, seeds=4, workers=2)
        assert run_cells(cells, seeds=4, workers=2, executor="ray") == want
        assert run_cells(cells[:1], seeds=4, workers=2, executor="ray") == want[:1]  # chunked
    finally:
        ray.shutdown()
