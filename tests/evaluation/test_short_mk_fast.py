"""short-m@k's numpy fast path gives exactly the protocol path's EvalResult,
on real stores and on random hand-made stores (ties, overrunning probes,
questions with fewer branches than k)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autotts.controllers import make
from autotts.env.store import store_from_records
from autotts.evaluation.fast import fast_block, has_fast_path, to_result
from autotts.evaluation.protocol import evaluate
from tests.conftest import make_question

SETTINGS = [
    ("short-m@k", {"k": 1, "m": 1}), ("short-m@k", {"k": 8, "m": 1}),
    ("short-m@k", {"k": 32, "m": 8}), ("short-m@k", {"k": 64, "m": 16}),
    ("short-m@k", {"k": 64, "m": 64}), ("short-m@k", {"k": 200, "m": 150}),
    ("short-m@k", {"k": 5, "m": 3}),
    ("short-m@k-beta", {"beta": 0.0}), ("short-m@k-beta", {"beta": 0.45}),
    ("short-m@k-beta", {"beta": 1.0}),
]


def both(store, cid, params, seeds):
    c = make(cid, **params)
    block = fast_block(store, c, seeds)
    assert block is not None, f"{cid} should have a fast path"
    fast = to_result(block, env=store.name, controller=cid, params=params)
    slow = evaluate(store, c, seeds=list(seeds), controller_id=cid, params=params)
    return fast, slow


@pytest.mark.parametrize("env", ["Qwen3-0.6B/aime25", "Qwen3-8B/hmmt25"])
@pytest.mark.parametrize("cid,params", SETTINGS)
def test_fast_equals_protocol_on_real_stores(real_store, env, cid, params):
    fast, slow = both(real_store(env), cid, params, range(8))
    assert fast == slow


def test_any_seed_list(real_store):
    fast, slow = both(real_store("Qwen3-4B/aime24"), "short-m@k", {"k": 16, "m": 4},
                      [41, 3, 999, 3])
    assert fast == slow


@st.composite
def random_store(draw):
    """Questions with 1..12 branches, 0..4 probes, lengths that often tie or
    overrun the probes, a tiny answer alphabet."""
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    questions = []
    for _ in range(rng.randint(1, 4)):
        branches = []
        for _ in range(rng.randint(1, 12)):
            probes = [rng.choice("123E") for _ in range(rng.randint(0, 4))]
            branches.append((probes, rng.choice([0, 300, 500, 800, 1000, rng.randint(0, 2500)]),
                             rng.choice("123E")))
        questions.append(make_question(branches, gold=rng.choice("1239"),
                                       delta=rng.choice([100, 500])))
    return store_from_records(questions, name="Rand/t")


@settings(max_examples=60, deadline=None)
@given(store=random_store(), k=st.integers(1, 14), m=st.integers(1, 14),
       seed0=st.integers(0, 10_000))
def test_fast_equals_protocol_on_random_stores(store, k, m, seed0):
    m = min(m, k)
    fast, slow = both(store, "short-m@k", {"k": k, "m": m}, range(seed0, seed0 + 5))
    assert fast == slow


def test_fast_path_rules():
    assert has_fast_path(make("short-m@k", k=32, m=8))
    assert has_fast_path(make("short-m@k-beta", beta=0.5))
    assert not has_fast_path(make("short-m@k"), traces=True)


@pytest.mark.slow
@pytest.mark.parametrize("env", ["Qwen3-0.6B/aime25", "Qwen3-0.6B/hmmt25", "Qwen3-1.7B/aime25",
                                 "Qwen3-1.7B/hmmt25", "Qwen3-4B/aime25", "Qwen3-4B/hmmt25",
                                 "Qwen3-8B/aime25", "Qwen3-8B/hmmt25"])
def test_k32_m8_all_100_seeds_on_held_out(real_store, env):
    fast, slow = both(real_store(env), "short-m@k", {"k": 32, "m": 8}, range(100))
    assert fast == slow
