"""The built-in `momentum-consensus` is round 4 of the fold table's job
results/folds/search-aime24-s0 (tag folds-v1): on the search split it must
give exactly the numbers that round recorded, and its compiled fast path
must give its readable path's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autotts.controllers import available, make
from autotts.controllers.momentum_consensus import GENOME, schedule
from autotts.discovery.proposers.search.compiled import available as kernel_available
from autotts.discovery.proposers.search.space import knob_values
from autotts.evaluation.fast import fast_block, has_fast_path, to_result
from autotts.evaluation.protocol import evaluate, protocol_block

ROUND = (Path(__file__).resolve().parents[2] / "results" / "folds" / "search-aime24-s0"
         / "rounds" / "r0004")


def test_registered_with_a_beta_knob():
    assert "momentum-consensus" in available()
    assert make("momentum-consensus", beta=0.3).params() == {"beta": 0.3}


def test_genome_is_the_archived_rounds_and_matches_the_schedule():
    """GENOME is the round's genome, and the search space reads it as the
    readable schedule() does (so the fast path runs this very design)."""
    state = json.loads((ROUND / "state.json").read_text())
    archived = state["proposal_meta"]["genome"]
    assert GENOME["parts"] == archived["parts"]
    assert {k: list(v) for k, v in GENOME["coefs"].items()} == archived["coefs"]
    for b in [i / 20 for i in range(21)]:
        assert knob_values(GENOME, b) == schedule(b)


def test_cheap_question_ends_with_the_agreed_answer(tiny_store):
    from tests.conftest import make_question

    store = tiny_store([make_question([(["7"] * 3, 1600, "7")] * 12, gold="7")])
    res = evaluate(store, make("momentum-consensus", beta=0.0), seeds=3)
    assert res.accuracy == 100.0 and res.tokens < 12 * 1600


# beta 0.5 runs by default; the other ten grid points are marked slow (CI)
@pytest.mark.parametrize("beta", [pytest.param(b, marks=() if b == 0.5 else pytest.mark.slow)
                                  for b in (round(k / 10, 1) for k in range(11))])
def test_matches_the_archived_round(real_store, beta):
    doc = json.loads((ROUND / "results.json").read_text())
    seeds = list(range(doc["seeds"]))
    cells = [c for c in doc["cells"] if c["params"]["beta"] == beta]
    assert len(cells) == 4  # the four aime24 search stores
    for cell in cells:
        res = evaluate(real_store(cell["store"]), make("momentum-consensus", beta=beta),
                       seeds=seeds)
        assert res.accuracy == pytest.approx(cell["accuracy"], abs=1e-9), cell["store"]
        assert res.tokens == pytest.approx(cell["tokens"], rel=1e-12), cell["store"]
        assert res.question_correct_rate == pytest.approx(cell["question_correct_rate"], abs=1e-12)


@pytest.mark.skipif(not kernel_available(), reason="the design kernel needs numba")
@pytest.mark.parametrize("beta", [0.0, 0.4, 1.0])
def test_fast_path_equals_the_readable_path(real_store, beta):
    store, c, seeds = real_store("Qwen3-1.7B/aime24"), make("momentum-consensus", beta=beta), \
        list(range(20))
    assert has_fast_path(c) and not has_fast_path(c, traces=True)
    want = protocol_block(store, c, seeds)
    got = fast_block(store, c, seeds)
    assert (got.correct == want.correct).all() and (got.cost == want.cost).all()
    assert to_result(got, env=store.name, controller=c.name, params=c.params()) == \
        to_result(want, env=store.name, controller=c.name, params=c.params())
