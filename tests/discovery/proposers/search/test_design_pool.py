"""The pool: niches by vote variant and cost class, parents from the top
or from a random niche, operator rewards, and the novelty filter."""

from __future__ import annotations

import random

from autotts.discovery.proposers.search.design_pool import (
    DesignPool,
    Record,
    choose_operator,
    design_id,
)
from autotts.discovery.proposers.search.designs import random_genome, seed_genome
from autotts.discovery.proposers.search.operators import OPERATORS, is_near, move_knobs


def rec(genome, value, op="fresh", mid=200_000.0, seeds=2) -> Record:
    return Record(design_id(genome), genome, 1, op, "", (), value, (value, value), seeds, mid)


def test_elites_keep_the_best_of_every_niche():
    rng = random.Random(0)
    a = DesignPool()
    cmc, asc = seed_genome("cmc"), seed_genome("asc")      # both vote "completed"
    a.add(rec(cmc, 60.0, mid=200_000))
    a.add(rec(asc, 55.0, mid=200_000))                      # same niche, worse
    a.add(rec(seed_genome("parallel-probe"), 50.0, mid=900_000))
    elites = a.elites()
    assert [r.value for r in elites] == [60.0, 50.0]
    for _ in range(20):
        assert a.parent(1, rng).value in (60.0, 50.0)  # never the dominated design


def test_an_operator_is_rewarded_when_its_child_enters_the_top():
    rng = random.Random(1)
    a = DesignPool()
    for v in (50.0, 51.0):
        a.add(rec(random_genome(rng), v, op="seed"))
    a.add(rec(random_genome(rng), 60.0, op="knob"))        # enters the top 2
    a.add(rec(random_genome(rng), 10.0, op="part"))        # does not
    r = a.rewards(population=2)
    assert r["knob"] == [1] and r["part"] == [0] and r["crossover"] == []
    assert choose_operator(a, 2, random.Random(0), explore=0.0) in OPERATORS


def test_bandit_prefers_an_operator_that_keeps_paying():
    """Every operator tried equally often; only "knob" children enter the top."""
    rng = random.Random(2)
    a = DesignPool()
    for k in range(40):
        op = OPERATORS[k % len(OPERATORS)]
        a.add(rec(random_genome(rng), 100.0 + k if op == "knob" else -1.0 * k, op=op))
    picks = [choose_operator(a, 3, random.Random(s), explore=0.0) for s in range(5)]
    assert set(picks) == {"knob"}


def test_the_novelty_filter_refuses_a_near_copy_only():
    g = seed_genome("cmc")
    near = seed_genome("cmc")
    near["coefs"]["conf_thresh"] = [0.851, 0.12]           # 0.1% of the range away
    assert is_near(near, [g])
    far, _ = move_knobs(g, random.Random(3))
    far["coefs"]["n_init"] = [20, 6]
    assert not is_near(far, [g])
    other = seed_genome("asc")
    assert not is_near(other, [g])
