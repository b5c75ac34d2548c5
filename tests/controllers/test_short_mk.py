"""short-m@k: finish order, same-interval ties, stopping cost, vote ties and
m larger than the branches that ever finish, on hand-built stores."""

from __future__ import annotations

import pytest

from autotts.controllers import make
from autotts.controllers.short_mk import ShortMK, ShortMKBeta, beta_to_km
from autotts.env.episode import Episode


def question(*branches, gold="5") -> dict:
    """branches: (probe_list, tokens, final) triples."""
    return {"question": "q", "gold_answer": gold, "probe_freq": 500,
            "each_branch": [[list(p), t, f] for p, t, f in branches]}


def solve(store, k, m, order=None):
    ep = Episode(store.questions[0], order)
    return ShortMK(k=k, m=m).solve(ep), ep


def test_finish_order_by_interval(tiny_store):
    # finishing intervals: b0 in 4, b1 in 2, b2 in 3, b3 in 5
    store = tiny_store([question(
        (["1", "1", "1"], 1700, "1"),
        (["2"], 900, "2"),
        (["3", "3"], 1200, "3"),
        (["1", "1", "1", "1"], 2100, "1"),
    )])
    ans, ep = solve(store, 4, 1)        # short-1@k: the branch finishing first
    assert ans == "2"
    # interval 1: 4 x 500; interval 2: b1 finishes (400 more), others 3 x 500
    assert ep.cost == 4 * 500 + 400 + 3 * 500
    assert ep.finished == (False, True, False, False)
    ans, ep = solve(store, 4, 3)        # stop in interval 4 when b0 finishes
    assert ans == "2"                   # 2, 3, 1 all once: tie to the earliest finisher
    assert ep.cost == 1700 + 900 + 1200 + 4 * 500
    assert not ep.is_finished(3)


def test_same_interval_ordered_by_length(tiny_store):
    # b0 and b1 both finish in interval 2; b1 is shorter, so it finishes first
    store = tiny_store([question(
        (["7"], 1000, "7"),
        (["8"], 600, "8"),
        (["8", "8"], 1500, "8"),
    )])
    ans, ep = solve(store, 3, 1)
    assert ans == "8"
    # the stopping interval is run by every branch: b0 still costs its full length
    assert ep.cost == 1000 + 600 + 2 * 500
    assert ep.finished == (True, True, False)


def test_equal_lengths_go_to_the_branch_opened_first(tiny_store):
    store = tiny_store([question((["7"], 800, "7"), (["8"], 800, "8"))])
    assert solve(store, 2, 1)[0] == "7"
    assert solve(store, 2, 1, order=[1, 0])[0] == "8"


def test_length_is_the_charged_length_when_probes_overrun(tiny_store):
    # b0: 2 probes (1000 tokens) but T = 700; b1: 2 probes, T = 900. Both are
    # charged 1000, so they tie on length and the branch opened first wins
    # (by T alone b0 would have been first).
    store = tiny_store([question((["4", "4"], 700, "4"), (["6", "6"], 900, "6"))])
    ans, ep = solve(store, 2, 1, order=[1, 0])
    assert ans == "6"
    assert ep.cost == 1000 + 1000
    assert solve(store, 2, 1)[0] == "4"


def test_vote_among_first_m_and_ties_to_earliest_finisher(tiny_store):
    store = tiny_store([question(
        ([], 300, "9"),                 # finishes in interval 1 (first)
        (["5"], 800, "5"),              # interval 2
        (["5", "5"], 1200, "5"),        # interval 3
        (["9", "9"], 1100, "9"),        # interval 3, shorter than b2: finishes before it
        (["5", "5", "5"], 1600, "5"),   # interval 4: never votes with m <= 4
    )])
    ans, ep = solve(store, 5, 2)        # votes 9, 5: a tie -> the earliest finisher's 9
    assert ans == "9"
    assert ep.cost == 300 + 800 + 3 * 2 * 500   # stops in interval 2
    ans, ep = solve(store, 5, 3)        # 9, 5, 9 -> 9; stops in interval 3
    assert ans == "9"
    assert ep.cost == 300 + 800 + 1200 + 1100 + 3 * 500   # b2 ran interval 3 too
    ans, ep = solve(store, 5, 4)        # 9, 5, 9, 5 -> tie -> 9 (first finisher)
    assert ans == "9"


def test_fewer_than_m_ever_finish(tiny_store):
    # 3 branches in the question, k = 8, m = 5: all 3 run to the end and all vote
    store = tiny_store([question((["1"], 700, "5"), (["2", "2"], 1300, "4"),
                                 ([], 200, "5"))])
    ans, ep = solve(store, 8, 5)
    assert ans == "5"
    assert ep.n_opened == 3
    assert ep.cost == 700 + 1300 + 200
    assert all(ep.finished)


def test_no_branch_left_returns_none(tiny_store):
    store = tiny_store([question((["1"], 700, "5"))])
    ep = Episode(store.questions[0], max_branches=0)
    assert ShortMK(k=4, m=1).solve(ep) is None


def test_parameters_are_checked():
    with pytest.raises(ValueError, match="m must be <= k"):
        make("short-m@k", k=4, m=5)
    with pytest.raises(ValueError, match="integers >= 1"):
        make("short-m@k", k=0, m=0)
    with pytest.raises(ValueError, match="must be an integer"):
        make("short-m@k", k=4.0, m=1)


def test_beta_schedule_is_monotone_and_reaches_64():
    grid = [beta_to_km(i / 100) for i in range(101)]
    assert grid[0] == (2, 1) and grid[-1] == (64, 16)
    assert beta_to_km(0.8) == (32, 8)
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in zip(grid, grid[1:]))
    assert all(1 <= m <= k for k, m in grid)
    assert beta_to_km(-1) == (2, 1) and beta_to_km(7) == (64, 16)   # clipped


def test_beta_form_equals_the_two_knob_form(tiny_store):
    store = tiny_store([question((["1"], 700, "5"), (["2", "2"], 1300, "4"),
                                 ([], 200, "5"), (["9"], 600, "9"))])
    for beta in (0.0, 0.3, 0.5):
        k, m = ShortMKBeta(beta=beta).km
        a, b = Episode(store.questions[0]), Episode(store.questions[0])
        assert ShortMKBeta(beta=beta).solve(a) == ShortMK(k=k, m=m).solve(b)
        assert a.cost == b.cost
