"""The judge keeps the books: forged cost, hidden reads, the branch ceiling and
frame tricks against the worker's own bookkeeping, in every isolation mode.
Honest candidates get exactly the numbers of the in-process protocol."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotts.controllers.spec import ControllerSpec
from autotts.evaluation.protocol import evaluate as protocol_evaluate

from .conftest import SEEDS, controller, evaluate

CANDIDATES = Path(__file__).parent.parent / "candidates"
ILLEGAL = "illegal episode log"

# Majority of ALL branches' final answers, read straight from the episode's
# private table, while the episode's cost and branch count are forged and only
# one branch is really opened.
FORGER = controller("""
import autotts.env.episode as E
E.Episode.cost = property(lambda self: 1)
E.Episode.n_opened = property(lambda self: 1)
ep.open()
finals = ep._table[1]
return max(set(finals), key=finals.count)
""")

# Legal actions (reads every branch whole) with a forged cost and depth log.
LOUD_LIAR = controller("""
import autotts.env.episode as E
import autotts.discovery.sandbox.recording as R
E.Episode.cost = property(lambda self: 1)
R.RecordingEpisode.log = lambda self: (1, [1])
answers = [ep.read_full() for _ in range(ep.branches_left)]
return max(set(answers), key=answers.count)
""")

READ_ALL = controller("""
answers = [ep.read_full() for _ in range(ep.branches_left)]
return max(set(answers), key=answers.count)
""")

CEILING_BREAKER = controller("""
object.__setattr__(ep, "_limit", 10 ** 6)
ids = [ep.open() for _ in range(20)]
return ep.latest(ids[-1])
""")

# Walk up to the worker's frame and rewrite its episode log.
FRAME_WALKER = controller("""
import sys
f = sys._getframe()
while f is not None and "depths" not in f.f_locals:
    f = f.f_back
if f is not None:
    f.f_locals["depths"].clear()
    f.f_locals["opened"][:] = [0] * len(f.f_locals["opened"])
return ep.read_full()
""")


def test_forged_cost_and_hidden_reads_are_refused(store, mode):
    res = evaluate(FORGER, store, mode)
    assert res.cells is None and ILLEGAL in res.error and "never revealed" in res.error
    assert not res.machinery


def test_forged_log_of_legal_play_is_refused(store, mode):
    res = evaluate(LOUD_LIAR, store, mode)
    assert res.cells is None and ILLEGAL in res.error


def test_frame_walker_rewriting_the_log_is_refused(store, mode):
    res = evaluate(FRAME_WALKER, store, mode)
    assert res.cells is None and ILLEGAL in res.error


def test_the_ceiling_holds_even_when_the_episode_is_patched(store, mode):
    res = evaluate(CEILING_BREAKER, store, mode, max_branches=8)
    assert res.cells is None and ILLEGAL in res.error and "ceiling is 8" in res.error


def test_honest_candidates_see_the_ceiling_and_are_charged_for_it(store):
    res = evaluate(READ_ALL, store, "none", max_branches=8)
    assert res.error is None and res.cells[0].opened == 8.0


@pytest.mark.parametrize("name", ["momentum.py", "greedy_width.py", "legacy_width.py"])
def test_honest_numbers_match_the_in_process_protocol_to_the_last_digit(store, name):
    source = (CANDIDATES / name).read_text()
    grid = [{"beta": 0.0}, {"beta": 1.0}] if "beta" in source else [{}]
    res = evaluate(source, store, "none", grid=grid)
    assert res.error is None, res.error
    for cell, params in zip(res.cells, grid):
        ctrl = ControllerSpec(file=str(CANDIDATES / name), params=params).build()
        ref = protocol_evaluate(store, ctrl, seeds=SEEDS)
        assert cell.tokens == ref.tokens and cell.accuracy == ref.accuracy
        assert cell.seed_tokens == ref.seed_tokens
