"""Answer Consistency: hand-checked stops, costs and votes on tiny stores, and
a cost-vs-knob smoke run on a real store."""

from __future__ import annotations

import pytest

from autotts.controllers import make
from autotts.controllers.answer_consistency import AnswerConsistency, next_streak
from autotts.env.episode import Episode
from autotts.evaluation.protocol import evaluate
from autotts.evaluation.traces import TracedEpisode


def question(*branches, gold="7") -> dict:
    """branches: (probe_list, tokens, final) triples."""
    return {"question": "q", "gold_answer": gold, "probe_freq": 500,
            "each_branch": [[list(p), t, f] for p, t, f in branches]}


def test_streak_rule():
    assert next_streak(0, None, "5") == 1
    assert next_streak(1, "5", "5") == 2
    assert next_streak(4, "5", "6") == 1
    assert next_streak(3, "ERR", "ERR") == 0  # ERR never builds a streak
    assert next_streak(3, "5", None) == 0


def test_single_chain_stops_on_k_agreeing_probes(tiny_store):
    q = tiny_store([question((["ERR", "5", "5", "7", "7", "7", "9"], 5000, "9"))]).questions[0]
    # probes: ERR(0) 5(1) 5(2) 7(1) 7(2) 7(3): with k=3 stop at depth 6 on "7"
    ep = Episode(q)
    assert AnswerConsistency(k=3).solve(ep) == "7"
    assert ep.cost == 6 * 500
    ep = Episode(q)  # k=2 stops at depth 3 on "5"
    assert AnswerConsistency(k=2).solve(ep) == "5" and ep.cost == 3 * 500
    ep = Episode(q)  # k=1: the first non-ERR probe
    assert AnswerConsistency(k=1).solve(ep) == "5" and ep.cost == 2 * 500


def test_chain_that_never_converges_returns_final_answer(tiny_store):
    q = tiny_store([question((["ERR", "ERR", "ERR"], 2000, "3"))]).questions[0]
    ep = Episode(q)
    assert AnswerConsistency(k=2).solve(ep) == "3"
    assert ep.cost == 2000  # 3 probes (1500) + the finishing step (500)
    assert ep.is_finished(0)


def test_explicit_probes_are_charged_once_per_step(tiny_store):
    q = tiny_store([question((["ERR", "5", "5", "7", "7", "7", "9"], 5000, "9"))]).questions[0]
    ep = Episode(q, kappa_probe=10)
    assert AnswerConsistency(k=3).solve(ep) == "7"
    assert ep.cost == 6 * 500 + 6 * 10


def hand_store(tiny_store):
    return tiny_store([question(
        (["1", "1", "1", "1"], 3000, "1"),   # k=2: stops at depth 2 on "1"
        (["2", "3", "3", "3"], 3000, "3"),   # stops at depth 3 on "3"
        (["4"], 700, "3"),                   # finishes at depth 2 (200 tokens) with "3"
        gold="3")])


def test_sc_plus_ac_votes_and_runs_in_lockstep(tiny_store):
    q = hand_store(tiny_store).questions[0]
    ep = TracedEpisode(Episode(q))
    assert AnswerConsistency(k=2, n=3).solve(ep) == "3"  # votes "1", "3", "3"
    assert ep.cost == 1000 + 1500 + 700
    assert ep.pruned == (True, True, False)  # stopped chains are pruned, finished one not
    actions = [tuple(e[:2]) for e in ep.events if e[0] != "note"]
    assert actions == [("open", 0), ("open", 1), ("open", 2),
                       ("step", 0), ("step", 1), ("step", 2),  # one lockstep round
                       ("prune", 0), ("step", 1), ("prune", 1)]


def test_vote_tie_goes_to_lowest_chain(tiny_store):
    q = hand_store(tiny_store).questions[0]
    assert AnswerConsistency(k=2, n=2).solve(Episode(q)) == "1"  # "1" vs "3"


def test_more_chains_than_branches(tiny_store):
    q = hand_store(tiny_store).questions[0]
    ep = Episode(q)
    assert AnswerConsistency(k=2, n=10).solve(ep) == "3"
    assert ep.n_opened == 3


def test_registered_and_validated():
    assert isinstance(make("answer-consistency", k=4, n=2), AnswerConsistency)
    for bad in ({"k": 0}, {"n": 0}):
        with pytest.raises(ValueError):
            AnswerConsistency(**bad)


def test_real_store_cost_grows_with_k_and_n(real_store):
    store = real_store("Qwen3-8B/aime24")
    tokens = [evaluate(store, AnswerConsistency(k=k), seeds=5).tokens for k in (2, 6, 10, 14)]
    assert tokens == sorted(tokens) and len(set(tokens)) == 4
    wide = [evaluate(store, AnswerConsistency(k=10, n=n), seeds=5).tokens for n in (1, 4, 8)]
    assert wide == sorted(wide) and len(set(wide)) == 3
    # one chain never costs more than its whole branch: at most SC@1's cost
    assert tokens[-1] <= evaluate(store, make("sc", n=1), seeds=5).tokens
