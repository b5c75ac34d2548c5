"""Episode semantics: cost accounting, legal and illegal actions, hidden state."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autotts.env.episode import Episode, IllegalAction, NoBranchesLeft
from autotts.env.store import store_from_records
from tests.conftest import make_question


def _episode(_unused, branches, delta=500, **kw):
    store = store_from_records([make_question(branches, delta=delta)], name="Tiny/test")
    return Episode(store.questions[0], **kw)


def test_step_costs_delta_then_tail(tiny_store):
    ep = _episode(tiny_store, [(["1", "2"], 1300, "3")])
    i = ep.open()
    assert (i, ep.latest(i), ep.cost, ep.depth(i)) == (0, "1", 500, 1)
    assert ep.step(i) == "2" and ep.cost == 1000 and not ep.is_finished(i)
    assert ep.step(i) == "3" and ep.cost == 1300 and ep.is_finished(i)
    with pytest.raises(IllegalAction, match="finished"):
        ep.step(i)


def test_tail_never_negative(tiny_store):
    # 3 probes of 500 exceed the branch's 1200 tokens: the final step costs 0.
    ep = _episode(tiny_store, [(["a", "b", "c"], 1200, "d")])
    i = ep.open()
    ep.advance([i], steps=10)
    assert ep.is_finished(i) and ep.cost == 1500 and ep.latest(i) == "d"


def test_branch_without_probes_finishes_on_open(tiny_store):
    ep = _episode(tiny_store, [([], 321, "7")])
    i = ep.open()
    assert ep.is_finished(i) and ep.cost == 321 and ep.latest(i) == "7"


def test_read_full_and_exhaustion(tiny_store):
    ep = _episode(tiny_store, [(["1"], 700, "1"), (["2"], 900, "2")])
    assert ep.read_full() == "1" and ep.cost == 700
    assert ep.read_full() == "2" and ep.cost == 1600
    assert ep.branches_left == 0
    with pytest.raises(NoBranchesLeft):
        ep.open()
    with pytest.raises(NoBranchesLeft):
        ep.read_full()
    assert ep.final_answers() == ["1", "2"]


def test_order_and_max_branches(tiny_store):
    ep = _episode(tiny_store, [([], 1, "a"), ([], 2, "b"), ([], 3, "c")], order=[2, 0, 1],
                  max_branches=2)
    assert [ep.read_full(), ep.read_full()] == ["c", "a"]
    with pytest.raises(NoBranchesLeft):
        ep.read_full()


def test_prune_and_unknown_ids(tiny_store):
    ep = _episode(tiny_store, [(["1", "1"], 1500, "1")] * 2)
    a, b = ep.open_many(2)
    ep.prune(a)
    assert ep.active() == [b] and ep.is_pruned(a)
    with pytest.raises(IllegalAction, match="pruned"):
        ep.step(a)
    with pytest.raises(IllegalAction, match="already pruned"):
        ep.prune(a)
    for bad in (2, -1, "0", 1.0):
        with pytest.raises(IllegalAction, match="unknown branch"):
            ep.step(bad)


def test_kappa_probe_charges_and_hides(tiny_store):
    ep = _episode(tiny_store, [(["1", "2"], 1400, "9")], kappa_probe=5)
    i = ep.open()
    assert ep.latest(i) is None and ep.cost == 500
    assert ep.probe(i) == "1" and ep.cost == 505
    assert ep.step(i) is None and ep.latest(i) == "1"
    assert ep.probe(i) == "2" and ep.cost == 1010
    assert ep.step(i) == "9" and ep.cost == 1410  # the final answer is always revealed
    assert ep.probe(i) == "9" and ep.cost == 1410  # probing a finished branch is free


def test_no_public_route_to_hidden_data(tiny_store):
    ep = _episode(tiny_store, [(["1", "2"], 1300, "secret")])
    ep.open()
    public = [n for n in dir(ep) if not n.startswith("_")]
    values = []
    for n in public:
        v = getattr(ep, n)
        values.append(repr(v() if callable(v) and n in ("active", "final_answers") else v))
    assert not any("secret" in v or "1300" in v for v in values)
    assert not any("gold" in n for n in dir(ep))


branch_st = st.tuples(st.lists(st.sampled_from(["1", "2", "ERR"]), max_size=6),
                      st.integers(min_value=0, max_value=4000), st.sampled_from(["1", "2"]))


@settings(max_examples=60, deadline=None)
@given(branches=st.lists(branch_st, min_size=1, max_size=6),
       actions=st.lists(st.tuples(st.sampled_from(["open", "step", "prune", "read"]),
                                  st.integers(0, 7)), max_size=40))
def test_random_actions_cost_is_sum_of_charges( branches, actions):
    """Random action sequences: cost equals the sum of charged steps, never
    decreases, and illegal actions raise without changing anything."""
    ep = _episode(None, branches, delta=500)
    expected, depth, done, pruned, src = 0, {}, set(), set(), {}
    for kind, i in actions:
        before = ep.cost
        if kind in ("open", "read"):
            if ep.branches_left == 0:
                with pytest.raises(NoBranchesLeft):
                    ep.open() if kind == "open" else ep.read_full()
            else:
                probes, tokens, _ = branches[ep.n_opened]
                ep.read_full() if kind == "read" else ep.open()
                j = ep.n_opened - 1
                finished = kind == "read" or not probes
                expected += tokens if finished else 500
                depth[j], src[j] = (len(probes) + 1 if kind == "read" else 1), (probes, tokens)
                if finished:
                    done.add(j)
        elif kind == "prune":
            if i not in depth or i in pruned:
                with pytest.raises(IllegalAction):
                    ep.prune(i)
            else:
                ep.prune(i)
                pruned.add(i)
                done.add(i)
        elif i not in depth or i in done:
            with pytest.raises(IllegalAction):
                ep.step(i)
        else:
            probes, tokens = src[i]
            d = depth[i]
            expected += 500 if d < len(probes) else max(0, tokens - 500 * len(probes))
            if d >= len(probes):
                done.add(i)
            depth[i] = d + 1
            ep.step(i)
        assert ep.cost >= before
        assert ep.cost == expected


@settings(max_examples=40, deadline=None)
@given(branches=st.lists(branch_st, min_size=1, max_size=5))
def test_whole_branch_read_costs_its_tokens(branches):
    ep = _episode(None, branches)
    stepped = _episode(None, branches)
    for probes, tokens, final in branches:
        before = ep.cost
        assert ep.read_full() == final
        assert ep.cost - before == tokens
        i = stepped.open()
        while not stepped.is_finished(i):
            stepped.step(i)
        # stepping to the end costs max(T, k * delta): the reference's rule
        assert stepped.latest(i) == final
    assert stepped.cost == sum(max(t, 500 * len(p)) for p, t, _ in branches)
