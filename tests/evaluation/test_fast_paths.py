"""The fast paths give exactly the protocol path's EvalResult (every field).

Real stores via $AUTOTTS_DATA (skipped when absent), plus random hand-made
stores that reach the corner cases (few branches, no probes, gold never seen).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autotts.controllers import make
from autotts.controllers.cmc import CMC
from autotts.controllers.voting import beta_confidence
from autotts.env.store import store_from_records
from autotts.evaluation.fast import fast_block, has_fast_path, numba_enabled, to_result
from autotts.evaluation.fast.betatable import cache_path, confidence_table
from autotts.evaluation.protocol import evaluate
from tests.conftest import make_question

SETTINGS = [
    ("sc", {}), ("sc", {"n": 1}), ("sc", {"n": 7}), ("sc", {"n": 500}),
    ("asc", {}), ("asc", {"threshold": 0.5}), ("asc", {"max_samples": 3, "threshold": 0.6}),
    ("esc", {}), ("esc", {"window": 1}), ("esc", {"max_samples": 20, "window": 6}),
    ("esc", {"max_samples": 4, "window": 8}),
    ("cmc", {"beta": 0.0}), ("cmc", {"beta": 0.35}), ("cmc", {"beta": 0.5}), ("cmc", {"beta": 1.0}),
    ("parallel-probe", {}),
    ("parallel-probe", {"num_chains": 8, "T": 3, "prune_patience": 2, "warm_up": 2,
                        "probe_burst": 2, "max_steps": 30}),
]
MODES = [False, True] if numba_enabled() else [False]  # use_numba


def fast_result(store, cid, params, seeds, use_numba):
    block = fast_block(store, make(cid, **params), seeds, use_numba=use_numba)
    assert block is not None, f"{cid} should have a fast path"
    return to_result(block, env=store.name, controller=cid, params=params)


def protocol_result(store, cid, params, seeds):
    return evaluate(store, make(cid, **params), seeds=list(seeds), controller_id=cid,
                    params=params)


@pytest.mark.parametrize("env", ["Qwen3-1.7B/aime24", "Qwen3-8B/hmmt25"])
@pytest.mark.parametrize("cid,params", SETTINGS)
def test_fast_equals_protocol_on_real_stores(real_store, env, cid, params):
    store = real_store(env)
    want = protocol_result(store, cid, params, range(10))
    for use_numba in MODES:
        assert fast_result(store, cid, params, range(10), use_numba) == want


@pytest.mark.slow
def test_cmc_full_100_seeds(real_store):
    store = real_store("Qwen3-4B/aime24")
    want = protocol_result(store, "cmc", {"beta": 0.5}, range(100))
    assert fast_result(store, "cmc", {"beta": 0.5}, range(100), numba_enabled()) == want


def test_seed_subsets_and_order(real_store):
    """Any seed list, not only 0..n-1, and in the order given."""
    store = real_store("Qwen3-0.6B/aime24")
    seeds = [17, 3, 250, 3]
    for cid, params in [("cmc", {"beta": 0.7}), ("asc", {}), ("parallel-probe", {})]:
        want = protocol_result(store, cid, params, seeds)
        assert fast_result(store, cid, params, seeds, numba_enabled()) == want


@st.composite
def random_store(draw):
    """A few questions with 1..9 branches, 0..5 probes each, a tiny answer alphabet."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    questions = []
    for _ in range(rng.randint(1, 4)):
        branches = []
        for _ in range(rng.randint(1, 9)):
            probes = [rng.choice("1234E") for _ in range(rng.randint(0, 5))]
            branches.append((probes, rng.randint(0, 3000), rng.choice("1234E")))
        questions.append(make_question(branches, gold=rng.choice("12349"),
                                       delta=rng.choice([100, 500])))
    return store_from_records(questions, name="Rand/t")


@settings(max_examples=25, deadline=None)
@given(store=random_store(), pick=st.integers(0, len(SETTINGS) - 1))
def test_fast_equals_protocol_on_random_stores(store, pick):
    cid, params = SETTINGS[pick]
    want = protocol_result(store, cid, params, range(6))
    for use_numba in MODES:
        assert fast_result(store, cid, params, range(6), use_numba) == want


def test_confidence_table_is_bit_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOTTS_CACHE", str(tmp_path))
    confidence_table.cache_clear()
    fresh = confidence_table(70)  # computed with scipy, then written to the disk cache
    assert list((tmp_path / "beta").glob("confidence-70-scipy-*.npy"))
    confidence_table.cache_clear()
    cached = confidence_table(70)  # read back from disk
    confidence_table.cache_clear()
    for table in (fresh, cached):
        for v1 in range(71):
            for v2 in range(v1 + 1):
                assert table[v1, v2] == beta_confidence(v1, v2)


def test_confidence_table_recomputes_a_broken_cache_file(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOTTS_CACHE", str(tmp_path))
    path = cache_path(8)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not an npy file")
    confidence_table.cache_clear()
    table = confidence_table(8)
    confidence_table.cache_clear()
    assert table[5, 1] == beta_confidence(5, 1)
    assert np.array_equal(np.load(path), table)  # rewritten with the right values


def test_when_there_is_no_fast_path():
    cmc = make("cmc", beta=0.5)
    assert has_fast_path(cmc)
    assert not has_fast_path(cmc, traces=True)
    assert not has_fast_path(cmc, kappa_probe=10)
    assert not has_fast_path(make("st-bon"))

    class TweakedCMC(CMC):  # a subclass may behave differently: no fast path
        pass

    assert not has_fast_path(TweakedCMC(beta=0.5))
    store = store_from_records([make_question([(["1"], 600, "1")])], name="T/t")
    assert fast_block(store, cmc, [0], traces=True) is None


@settings(max_examples=30, deadline=None)
@given(store=random_store(), seeds=st.lists(st.integers(0, 10**6), max_size=6))
def test_seed_orders_are_the_protocol_orders(store, seeds):
    """Row (s, q) is shuffled_order(seeds[s], n_branches[q]), padded with -1 (questions
    of equal branch count share one shuffle per seed)."""
    from autotts.evaluation.fast.arrays import seed_orders, store_arrays
    from autotts.evaluation.protocol import shuffled_order

    arrays = store_arrays(store)
    got = seed_orders(arrays, seeds)
    assert got.shape == (len(seeds), arrays.n_questions, arrays.width)
    for s, seed in enumerate(seeds):
        for q, n in enumerate(arrays.n_branches.tolist()):
            assert tuple(got[s, q, :n].tolist()) == shuffled_order(seed, n)
            assert (got[s, q, n:] == -1).all()
