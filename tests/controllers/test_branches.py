"""Branch bookkeeping (controllers/branches.py), shared by CMC and every
generated candidate: ``alive`` is the episode's own active list, and
``advance`` pays for a probe only when the steps revealed nothing."""

from __future__ import annotations

from autotts.controllers.branches import Branches, advance, open_branches
from autotts.env.episode import Episode

from ..conftest import make_question


def question(tiny_store):
    branches = [(["1", "2", "3"], 2000, "3"), (["4"], 700, "4"), (["5", "5", "5", "5"], 2600, "5")]
    return tiny_store([make_question(branches)]).questions[0]


def test_alive_is_the_unfinished_unpruned_branches(tiny_store):
    ep = Episode(question(tiny_store))
    st = Branches(ep, 2)
    open_branches(st, 3)
    advance(st, 1, 5)           # finishes branch 1
    st.dropped[2] = True
    ep.prune(2)
    assert st.alive() == [0]
    assert st.alive() == [i for i in st.ids if not st.dropped[i] and not ep.is_finished(i)]


def test_advance_without_probe_cost_reads_the_steps_answer(tiny_store):
    ep = Episode(question(tiny_store))
    st = Branches(ep, 2)
    open_branches(st, 1)
    advance(st, 0, 2)           # two steps, no probe charge
    assert st.seen[0] == ["1", "3"] and ep.cost == 3 * 500


def test_advance_with_probe_cost_probes_once_per_call(tiny_store):
    ep = Episode(question(tiny_store), kappa_probe=10)
    st = Branches(ep, 2)
    open_branches(st, 3)
    assert st.seen == [[None], [None], [None]]
    opened = 3 * 500
    advance(st, 0, 2)           # two steps, one probe
    assert st.seen[0][-1] == "3" and ep.cost == opened + 2 * 500 + 10
    advance(st, 1, 3)           # its last step finishes it: the final answer is free
    assert st.seen[1][-1] == "4" and st.pool == {"4": 1}
    assert ep.cost == opened + 2 * 500 + 10 + (700 - 500)
