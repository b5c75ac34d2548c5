"""The built-in `cmc-double-step` is the controller archived as round 20 of the
agent-driven discovery run results/discovery/agent-run-1: on the search split
it must give exactly the numbers the sandboxed round recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autotts.controllers import available, make
from autotts.evaluation.protocol import evaluate
from tests.conftest import make_question

RUN = Path(__file__).resolve().parents[2] / "results" / "discovery" / "agent-run-1"
ROUND = RUN / "rounds" / "r0020"


def test_registered_with_a_beta_knob():
    assert "cmc-double-step" in available()
    c = make("cmc-double-step", beta=0.3)
    assert c.params() == {"beta": 0.3}


def test_cheap_question_ends_on_two_confident_pools(tiny_store):
    """On a question whose branches all agree, it stops with that answer."""
    store = tiny_store([make_question([(["7"] * 3, 1600, "7")] * 12, gold="7")])
    res = evaluate(store, make("cmc-double-step", beta=0.0), seeds=3)
    assert res.accuracy == 100.0 and res.tokens < 12 * 1600


# beta 0.5 runs by default (~30 s); the other ten grid points are marked slow (CI)
@pytest.mark.parametrize("beta", [pytest.param(b, marks=() if b == 0.5 else pytest.mark.slow)
                                  for b in (round(k / 10, 1) for k in range(11))])
def test_matches_the_archived_round(real_store, beta):
    doc = json.loads((ROUND / "results.json").read_text())
    seeds = list(range(doc["seeds"]))
    cells = [c for c in doc["cells"] if c["params"]["beta"] == beta]
    assert len(cells) == 4  # the four aime24 search stores
    for cell in cells:
        res = evaluate(real_store(cell["store"]), make("cmc-double-step", beta=beta), seeds=seeds)
        assert res.accuracy == pytest.approx(cell["accuracy"], abs=1e-9), cell["store"]
        assert res.tokens == pytest.approx(cell["tokens"], rel=1e-12), cell["store"]
        assert res.question_correct_rate == pytest.approx(cell["question_correct_rate"], abs=1e-12)
