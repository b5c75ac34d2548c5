"""Baseline semantics on hand-made stores, where answers and costs are known."""

from __future__ import annotations

import pytest

from autotts.controllers import available, make
from autotts.controllers.cmc import cmc_schedule
from autotts.env.episode import Episode
from autotts.env.store import store_from_records
from tests.conftest import make_question


def _ep(branches, order=None):
    store = store_from_records([make_question(branches)], name="T/t")
    return Episode(store.questions[0], order)


def test_registry_lists_the_contract_ids_and_params():
    ids = available()
    for cid, params in {"sc": {"n"}, "asc": {"max_samples", "threshold"},
                        "esc": {"max_samples", "window"}, "cmc": {"beta"},
                        "parallel-probe": {"num_chains", "T", "prune_patience", "warm_up",
                                           "probe_burst", "max_steps"}}.items():
        assert cid in ids
        assert set(make(cid).params()) == params
    with pytest.raises(KeyError, match="no parameter"):
        make("sc", m=3)
    with pytest.raises(KeyError, match="unknown controller"):
        make("nope")


def test_sc_reads_n_and_breaks_ties_first_seen():
    ep = _ep([([], 100, "b"), ([], 200, "a"), ([], 300, "a"), ([], 400, "b"), ([], 1, "c")])
    assert make("sc", n=4).solve(ep) == "b" and ep.cost == 1000


def test_asc_stops_on_four_unanimous_reads():
    ep = _ep([([], 10, "7")] * 10)
    assert make("asc").solve(ep) == "7" and ep.n_opened == 4 and ep.cost == 40


def test_asc_falls_back_to_majority():
    ep = _ep([([], 1, "1"), ([], 1, "2"), ([], 1, "2")])
    assert make("asc", max_samples=3).solve(ep) == "2" and ep.n_opened == 3


def test_esc_stops_on_a_unanimous_window():
    ep = _ep([([], 5, "1"), ([], 5, "2"), ([], 5, "3"), ([], 5, "3")])
    assert make("esc", max_samples=4, window=2).solve(ep) == "3" and ep.cost == 20
    ep = _ep([([], 5, "1"), ([], 5, "2"), ([], 5, "3")])
    # branches run out: the short last window ["3"] counts as unanimous (reference rule)
    assert make("esc", max_samples=6, window=2).solve(ep) == "3"
    ep = _ep([([], 5, "1"), ([], 5, "2"), ([], 5, "2"), ([], 5, "1")])
    assert make("esc", max_samples=4, window=2).solve(ep) == "1"  # majority, tie first-seen


def test_parallel_probe_stops_when_winner_is_stable():
    branch = (["4"] * 10, 6000, "4")
    ep = _ep([branch] * 3)
    # T=2: stable reaches 2 on the 3rd loop step; each step advances all 3 branches
    assert make("parallel-probe", num_chains=3, T=2, warm_up=0).solve(ep) == "4"
    assert ep.cost == 3 * 4 * 500


def test_parallel_probe_prunes_off_track_branches():
    good = (["1"] * 6, 3000, "1")
    bad = (["2"] * 6, 3000, "2")
    ep = _ep([good, good, bad])
    answer = make("parallel-probe", num_chains=3, T=50, warm_up=0, prune_patience=2).solve(ep)
    assert answer == "1" and ep.is_pruned(2) and not ep.is_pruned(0)


def test_cmc_schedule_endpoints():
    s0, s1 = cmc_schedule(0.0), cmc_schedule(1.0)
    assert (s0.n_init, s0.max_branch_use, s0.warm_up, s0.conf_thresh) == (2, 4, 2, 0.85)
    assert (s1.n_init, s1.max_branch_use, s1.warm_up, s1.conf_thresh) == (8, 64, 10, 0.97)
    assert cmc_schedule(2.0) == s1 and cmc_schedule(-1) == s0
    half = cmc_schedule(0.5)
    assert half.n_init == 5 and half.max_branch_use == 34 and half.ema_alpha == 0.5


def test_cmc_never_opens_more_than_its_budget():
    ep = _ep([(["1", "2", "3"] * 10, 15000, str(i % 5)) for i in range(100)])
    make("cmc", beta=1.0).solve(ep)
    assert ep.n_opened <= 64
    ep = _ep([(["1", "2", "3"] * 10, 15000, str(i % 5)) for i in range(100)])
    make("cmc", beta=0.0).solve(ep)
    assert ep.n_opened <= 4


def test_cmc_with_no_branches_returns_none():
    store = store_from_records([make_question([([], 1, "1")])], name="T/t")
    ep = Episode(store.questions[0], max_branches=0)
    assert make("cmc").solve(ep) is None
