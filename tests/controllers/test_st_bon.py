"""ST-BoN (answer-agreement adaptation): hand-checked c, tau, winner and cost
on tiny stores, and a cost-vs-width smoke run on a real store."""

from __future__ import annotations

import pytest

from autotts.controllers import make
from autotts.controllers.st_bon import SelfTruncationBoN, agreement_best, modal_lowest
from autotts.env.episode import Episode
from autotts.evaluation.protocol import evaluate


def question(*branches, gold="5") -> dict:
    """branches: (probe_list, tokens, final) triples."""
    return {"question": "q", "gold_answer": gold, "probe_freq": 500,
            "each_branch": [[list(p), t, f] for p, t, f in branches]}


def test_agreement_scores_and_ties():
    assert agreement_best(["7", "4", "4", "ERR"]) == 1   # scores 0, 1, 1, 0
    assert agreement_best(["ERR", "ERR", "3"]) == 0      # ERR scores 0 even when shared
    assert agreement_best(["7", "4", "4", "4"]) == 1
    assert modal_lowest([3, 1, 3, 1, 2]) == 1
    assert modal_lowest([2, 2, 0]) == 2


def four_branches(tiny_store):
    return tiny_store([question(
        (["ERR", "ERR", "7", "7", "7"], 2600, "7"),
        (["ERR", "4", "4", "4", "5"], 3000, "5"),
        (["ERR", "4", "4", "4", "4"], 2700, "4"),
        (["ERR", "ERR", "ERR", "4", "ERR"], 3500, "4"),
    )]).questions[0]


def test_adaptive_tau(tiny_store):
    # round 1: all ERR; round 2: two non-ERR -> c = 2, tau = 2.
    # round 3 probes 7,4,4,ERR -> best 1; round 4 probes 7,4,4,4 -> best 1.
    q = four_branches(tiny_store)
    ep = Episode(q)
    assert SelfTruncationBoN(n=4).solve(ep) == "5"  # the winner's own answer, no vote
    assert ep.cost == 4 * 4 * 500 + 500 + 500      # winner: probe 5, then final 500 tokens
    assert ep.pruned == (True, False, True, True)
    assert ep.is_finished(1)


def test_fixed_tau(tiny_store):
    q = four_branches(tiny_store)
    ep = Episode(q)
    assert SelfTruncationBoN(n=4, tau=1).solve(ep) == "5"
    assert ep.cost == 4 * 3 * 500 + 3 * 500
    ep0 = Episode(q)  # tau = 0 means adaptive, like None
    assert SelfTruncationBoN(n=4, tau=0).solve(ep0) == "5"
    assert ep0.cost == 4 * 4 * 500 + 1000


def test_finished_branch_keeps_final_answer_as_probe(tiny_store):
    q = tiny_store([question(
        (["ERR"], 600, "9"),                   # finishes in round 2 with "9"
        (["ERR", "ERR", "9", "9"], 2000, "9"),
        (["ERR", "3", "3", "3"], 2200, "3"),
    )]).questions[0]
    # round 2: 9 (final), ERR, 3 -> c = 2; rounds 3, 4: 9, 9, 3 -> best 0 twice
    ep = Episode(q)
    assert SelfTruncationBoN(n=3).solve(ep) == "9"
    assert ep.cost == 600 + 4 * 500 + 4 * 500
    assert ep.pruned == (False, True, True)


def test_every_branch_finishes_before_c(tiny_store):
    q = tiny_store([question((["ERR"], 800, "6"), (["ERR"], 900, "ERR"))]).questions[0]
    ep = Episode(q)
    assert SelfTruncationBoN(n=2).solve(ep) == "6"
    assert ep.cost == 800 + 900


def test_single_branch_reads_to_the_end(tiny_store):
    q = four_branches(tiny_store)
    ep = Episode(q)
    assert SelfTruncationBoN(n=1).solve(ep) == "7"
    assert ep.cost == 2600


def test_registered_and_validated():
    assert isinstance(make("st-bon", n=8, tau=3), SelfTruncationBoN)
    for bad in ({"n": 0}, {"tau": -1}, {"tau": 1.5}):
        with pytest.raises(ValueError):
            SelfTruncationBoN(**bad)


def test_real_store_cost_grows_with_n_and_tau(real_store):
    store = real_store("Qwen3-8B/aime24")
    tokens = [evaluate(store, SelfTruncationBoN(n=n), seeds=5).tokens for n in (4, 16, 64)]
    assert tokens == sorted(tokens) and len(set(tokens)) == 3
    fixed = [evaluate(store, SelfTruncationBoN(n=16, tau=t), seeds=5).tokens for t in (1, 4, 8)]
    assert fixed == sorted(fixed) and len(set(fixed)) == 3
    result = evaluate(store, SelfTruncationBoN(n=16), seeds=5)
    assert 0 < result.accuracy <= 100
