"""The compiled design kernel equals the generated Python code to the last
digit (answers, costs, episode logs): seed designs, random designs from a
blank and from a default start, every archived search round, hand-built
stores with ties, ERR probes, short branches and the 64-branch ceiling."""

from __future__ import annotations

import glob
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from autotts.discovery.proposers.search import compiled, designs, operators
from autotts.discovery.proposers.search.codegen import render
from autotts.discovery.proposers.search.recognize import generated_genome
from autotts.discovery.proposers.search.space import normalize
from autotts.env.store import ReplayStore, load_store

from .readable import mismatches

pytestmark = pytest.mark.skipif(not compiled.available(), reason="needs numba")

STORES = [f"Qwen3-{m}/{d}" for m in ("0.6B", "1.7B", "4B", "8B")
          for d in ("aime24", "aime25", "hmmt25")]
ROUNDS = Path(__file__).resolve().parents[4] / "results" / "search-v2"


def sub_store(store: ReplayStore, n: int) -> ReplayStore:
    """The first n questions of ``store`` (a store of its own)."""
    return ReplayStore(store.name, store.path, store.questions[:n])


def default_start(rng: random.Random, n: int) -> list[dict]:
    """Designs bred from the seed designs by the search's own operators."""
    out, pool = [], list(designs.SEEDS.values())
    for _ in range(n):
        op = rng.choice(["switch", "knobs", "crossover", "switch"])
        a, b = rng.sample(pool, 2)
        if op == "crossover":
            child = operators.crossover(a, b, rng)
        elif op == "switch":
            child = operators.switch_part(a, rng)[0]
        else:
            child = operators.move_knobs(a, rng)[0]
        out.append(child)
        pool.append(child)
    return out


def random_designs(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    blank = [designs.random_genome(rng) for _ in range(n // 2)]
    return list(designs.SEEDS.values()) + blank + default_start(rng, n - n // 2)


@pytest.fixture(scope="module")
def small_stores(real_store):
    return [sub_store(real_store(name), 6) for name in STORES]


def test_random_designs_on_all_stores(small_stores):
    """240 designs, each on a rotating store (all 12 covered many times), 3 betas, 1 seed."""
    bad = []
    for i, g in enumerate(random_designs(236, seed=11)):
        bad += mismatches(g, small_stores[i % 12], [0.0, 0.37, 1.0], [i % 7])
    assert not bad, bad[:5]


def archived_rounds() -> list[Path]:
    return [Path(p) for p in sorted(glob.glob(str(ROUNDS / "*" / "rounds" / "*")))]


def test_archived_rounds_are_recognized_and_exact(small_stores):
    """Every archived search round: its candidate.py is the rendering of its
    recorded genome, and the kernel reproduces it on every store."""
    rounds = archived_rounds()
    if not rounds:
        pytest.skip("no archived search rounds")
    bad = []
    for r in rounds:
        st = json.loads((r / "state.json").read_text())
        genome = st["proposal_meta"]["genome"]
        found = generated_genome((r / "candidate.py").read_text())
        assert found is not None, r
        assert normalize(found[0]) == normalize(genome)
        for store in small_stores:
            bad += mismatches(genome, store, [0.0, 0.5, 1.0], [3])
    assert not bad, bad[:5]


def test_edited_file_is_not_recognized():
    src = render(designs.SEEDS["cmc"], origin="Round 3: a test.")
    assert generated_genome(src) is not None
    for edit in (src + "\n", src.replace("MAX_STEPS = 500", "MAX_STEPS = 499"),
                 src.replace("a test.", 'a "test".'), src.replace("return winner", "return None")):
        assert generated_genome(edit) is None
    # a changed constant is another design, read back as such
    other = generated_genome(src.replace("N_INIT = (2, 6)", "N_INIT = (3, 6)"))
    assert other is not None and other[0]["coefs"]["n_init"] == [3, 6]


@pytest.mark.slow
def test_many_designs_full_stores(real_store):
    """28 designs (the 4 seeds, 12 blank, 12 bred) on all 12 whole stores, 11 betas,
    2 seeds (a few minutes here; 100
    designs, 17 min, also passed when the kernel was written; the fast tests cover
    240 designs on part of every store and every archived round on all 12)."""
    stores = [real_store(n) for n in STORES]
    betas = [i / 10 for i in range(11)]
    bad = []
    for i, g in enumerate(random_designs(24, seed=5)):
        for store in stores:
            bad += mismatches(g, store, betas, [i, 50 + i])
    assert not bad, bad[:5]


# ---- property: hand-built stores ------------------------------------------------
_ANSWERS = ["1", "2", "3", "ERR"]


@hs.composite
def branch(draw):
    """A branch of 0-10 probes from a 4-answer alphabet (ties and ERR are common);
    its length may fall short of its probes (the finishing step then costs 0)."""
    k = draw(hs.integers(0, 10))
    probes = draw(hs.lists(hs.sampled_from(_ANSWERS), min_size=k, max_size=k))
    final = draw(hs.sampled_from(_ANSWERS))
    tokens = draw(hs.integers(max(1, (k - 2) * 500), k * 500 + 1200))
    return probes, tokens, final


@hs.composite
def question(draw):
    n = draw(hs.sampled_from([1, 2, 5, 17, 64, 70, 90]))  # around the 64-branch ceiling
    branches = draw(hs.lists(branch(), min_size=n, max_size=n))
    return {"question": "q", "gold_answer": draw(hs.sampled_from(_ANSWERS[:3])),
            "probe_freq": 500, "final_answers_trace": [b[2] for b in branches],
            "each_branch": [[p, t, f] for p, t, f in branches]}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(qs=hs.lists(question(), min_size=1, max_size=3), design_seed=hs.integers(0, 10**6),
       seed=hs.integers(0, 99))
def test_hand_built_stores(tmp_path_factory, qs, design_seed, seed):
    path = tmp_path_factory.mktemp("hb") / "toy.json"
    path.write_text(json.dumps(qs))
    store = load_store(path, name="Hand/built")
    rng = random.Random(design_seed)
    genome = designs.random_genome(rng) if design_seed % 3 else default_start(rng, 1)[0]
    assert not mismatches(genome, store, [0.0, 0.6, 1.0], [seed])


def _screen(stores, genomes, seeds):
    from autotts.discovery.proposers.search.screen import Screener
    screener = Screener({s.name: s.path for s in stores}, (0.0, 0.45, 1.0), workers=2)
    try:
        return screener.curves(genomes, seeds)
    finally:
        screener.close()


def test_screening_is_the_same_on_the_kernel(real_store, monkeypatch):
    """Screening's curves, kernel vs readable (AUTOTTS_NO_FAST=1): equal floats."""
    stores = [real_store("Qwen3-1.7B/aime24"), real_store("Qwen3-8B/aime24")]
    genomes = random_designs(8, seed=3)
    fast = _screen(stores, genomes, [0, 1])
    monkeypatch.setenv("AUTOTTS_NO_FAST", "1")
    slow = _screen(stores, genomes, [0, 1])
    assert fast == slow
