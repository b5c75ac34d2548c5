"""A byte-identical generated design is judged on the compiled kernel in the
parent, with exactly the sandboxed path's cells and traces; anything else is
left to the sandbox."""

from __future__ import annotations

import random
from dataclasses import asdict

import pytest

from autotts.discovery.proposers.search import compiled, designs
from autotts.discovery.proposers.search.codegen import render
from autotts.discovery.sandbox.evaluate import SandboxSettings, evaluate_candidate
from autotts.discovery.sandbox.generated import evaluate_generated
from autotts.discovery.sandbox.process import Limits, detect_isolation
from autotts.env.store import ReplayStore

pytestmark = pytest.mark.skipif(not compiled.available(), reason="needs numba")


def _small(store, n=8):
    return ReplayStore(store.name, store.path, store.questions[:n])


def test_kernel_cells_equal_the_sandboxed_cells(real_store):
    stores = [_small(real_store("Qwen3-1.7B/aime24")), _small(real_store("Qwen3-4B/aime24"))]
    grid = [{"beta": b} for b in (0.0, 0.3, 0.7, 1.0)]
    sb = SandboxSettings(Limits(cpu_s=120, memory_mb=2048, output_bytes=65536),
                         detect_isolation("auto"), workers=2, trace_questions=2)
    for genome in (designs.SEEDS["cmc"], designs.random_genome(random.Random(4))):
        source = render(genome, origin="Round 2: a test design.")
        fast = evaluate_generated(source, "SearchController", stores, grid, [0, 1, 2], sb,
                                  trace_settings=[grid[0], grid[-1]])
        slow = evaluate_candidate(source, "SearchController", stores, grid, [0, 1, 2], sb,
                                  trace_settings=[grid[0], grid[-1]])
        assert slow.error is None and fast is not None
        assert [asdict(c) for c in fast.cells] == [asdict(c) for c in slow.cells]
        assert fast.traces == slow.traces


def test_other_files_go_to_the_sandbox(real_store):
    store = _small(real_store("Qwen3-1.7B/aime24"), 2)
    sb = SandboxSettings(Limits(cpu_s=60), detect_isolation("auto"))
    source = render(designs.SEEDS["asc"])
    grid = [{"beta": 0.5}]
    assert evaluate_generated(source, "SearchController", [store], grid, [0], sb) is not None
    edited = source.replace("return winner", "return None")
    assert evaluate_generated(edited, "SearchController", [store], grid, [0], sb) is None
    assert evaluate_generated(source, "Other", [store], grid, [0], sb) is None
    assert evaluate_generated(source, "SearchController", [store], [{"beta": 0.5, "x": 1}],
                              [0], sb) is None
