"""The archive: niches by vote variant and cost class, parents from the top
or from a random niche, operator rewards, and the novelty filter."""

from __future__ import annotations

import random
from dataclasses import replace

from autotts.discovery.search.designs import random_genome, seed_genome
from autotts.discovery.search.elites import Archive, Record, choose_operator, design_id
from autotts.discovery.search.operators import OPERATORS, is_near, move_knobs


def rec(genome, value, op="fresh", mid=200_000.0, seeds=2) -> Record:
    return Record(design_id(genome), genome, 1, op, "", (), value, (value, value), seeds, mid)


def test_elites_keep_the_best_of_every_niche():
    rng = random.Random(0)
    a = Archive()
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
    a = Archive()
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
    a = Archive()
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


def test_a_twin_counts_for_nothing_but_stays_in_the_archive():
    """Designs with an earlier design's screening curve: never parents,
    elites or rewarded; a record without a digest (an older run) is no twin."""
    rng = random.Random(4)
    a = Archive()
    first = replace(rec(random_genome(rng), 50.0, op="seed"), digest="d1")
    twin = replace(rec(random_genome(rng), 70.0, op="knob"), digest="d1")  # same curve
    other = replace(rec(random_genome(rng), 60.0, op="part"), digest="d2")
    old = rec(random_genome(rng), 55.0, op="crossover")                   # no digest
    old2 = rec(random_genome(rng), 56.0, op="crossover")
    for r in (first, twin, other, old, old2):
        a.add(r)
    assert a.twins() == {twin.id}
    assert twin.id in a
    assert [r.id for r in a.ok()] == [other.id, old2.id, old.id, first.id]
    assert twin.id not in {r.id for r in a.elites()}
    assert all(a.parent(2, random.Random(s)).id != twin.id for s in range(30))
    rewards = a.rewards(population=1)
    assert rewards["knob"] == [0]          # 70 would have entered the top 1
    assert rewards["part"] == [1]          # and raised no bar for the design after it


def test_a_records_digest_survives_the_round_history():
    r = replace(rec(seed_genome("cmc"), 60.0), digest="abc")
    assert Record.from_dict(r.to_dict()) == r
    legacy = r.to_dict()
    del legacy["digest"]
    assert Record.from_dict(legacy).digest is None
