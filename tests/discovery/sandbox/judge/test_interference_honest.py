"""No honest controller is refused by the interference check: every built-in
controller, every candidate archived under results/, and random designs of
the built-in search, each evaluated sandboxed (check on) on a small store and
two seeds. The bigger part is marked ``slow``."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from autotts.controllers.registry import available
from autotts.discovery.proposers.search.codegen import render
from autotts.discovery.proposers.search.designs import random_genome
from autotts.discovery.sandbox.evaluate import SandboxSettings, evaluate_candidate
from autotts.discovery.sandbox.process import Limits, detect_isolation
from autotts.discovery.sandbox.static_check import validate_source
from autotts.env.store import load_store

ROOT = Path(__file__).resolve().parents[4]
ARCHIVED = sorted(ROOT.glob("results/search-v2/*/rounds/*/candidate.py")) \
    + sorted(ROOT.glob("results/discovery/**/candidate.py"))
SEEDS = [0, 1]


@pytest.fixture(scope="module")
def store(synth_data):
    return load_store(synth_data / "ModelA" / "aime24.json", name="ModelA/aime24")


def _accepted(source: str, store, class_name: str | None = None, params=None) -> None:
    """Evaluate ``source`` with the check on; fail with the check's refusal, if any."""
    if params is None:
        v = validate_source(source, class_name=class_name)
        class_name = v.class_name
        params = list(v.settings[:2]) if v.settings else [{"beta": 0.0}, {"beta": 1.0}]
    sb = SandboxSettings(Limits(cpu_s=60, memory_mb=2048), detect_isolation("auto"))
    res = evaluate_candidate(source, class_name, [store], params, SEEDS, sb)
    assert res.error is None, res.error
    assert any(str(j.get("check")).startswith("twin") for j in res.jobs)   # the check did run


def _builtin_params(cls) -> list[dict]:
    fields = getattr(cls, "__dataclass_fields__", {})
    return [{"beta": 0.0}, {"beta": 1.0}] if "beta" in fields else [{}]


@pytest.mark.parametrize("cid", sorted(available()))
def test_builtin_controllers_pass_the_check(store, cid):
    cls = available()[cid]
    # a subclass in a file of its own: the module registers its id at import
    source = f"from {cls.__module__} import {cls.__name__} as Base\n\n\nclass Builtin(Base):\n" \
        "    pass\n"
    _accepted(source, store, "Builtin", _builtin_params(cls))


FAST_ARCHIVED = ARCHIVED[::8]


@pytest.mark.parametrize("path", FAST_ARCHIVED, ids=[str(p.relative_to(ROOT))
                                                      for p in FAST_ARCHIVED])
def test_some_archived_candidates_pass_the_check(store, path):
    _accepted(path.read_text(), store)


@pytest.mark.slow
@pytest.mark.parametrize("path", ARCHIVED, ids=[str(p.relative_to(ROOT)) for p in ARCHIVED])
def test_every_archived_candidate_passes_the_check(store, path):
    _accepted(path.read_text(), store)


def _designs(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [render(random_genome(rng)) for _ in range(n)]


@pytest.mark.parametrize("k", range(5))
def test_random_search_designs_pass_the_check(store, k):
    _accepted(_designs(5, seed=k)[k], store)


@pytest.mark.slow
def test_two_hundred_random_search_designs_pass_the_check(store):
    for source in _designs(200, seed=2026):
        _accepted(source, store)
