"""LiveEpisode: the replay Episode's API and semantics, backed by a model."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from autotts.controllers import available, make
from autotts.env.api import EpisodeAPI, api_members
from autotts.env.episode import Episode, IllegalAction, NoBranchesLeft
from autotts.env.store import load_store
from autotts.evaluation.traces import TracedEpisode
from autotts.live.backend import Sampling
from autotts.live.collect import CollectPlan, build_store, collect_rows, write_store
from autotts.live.decode import DecodeConfig
from autotts.live.episode import LiveEpisode
from autotts.live.questions import QuestionItem
from autotts.live.rawlog import RawLog
from tests.live.live_fakes import FakeBackend

CFG = DecodeConfig(delta=5, max_tokens=60, sampling=Sampling(0.7), probe_suffix="\\boxed{",
                   probe_tokens=4, seed=3)
def episode(backend, **kw) -> LiveEpisode:
    return LiveEpisode(backend, "hmm so then", CFG, key="q0", **kw)


@pytest.mark.parametrize("cls", [Episode, LiveEpisode, TracedEpisode],
                         ids=["replay", "live", "traced"])
def test_implements_the_episode_protocol(cls):
    """Every EpisodeAPI member exists with the same kind (property or method)
    and the same parameters, so a controller written against the Protocol
    runs on every episode."""
    members = api_members()
    assert {"open", "step", "probe", "prune", "read_full", "cost", "active"} <= set(members)
    problems = []
    for name in members:
        want, got = getattr(EpisodeAPI, name), getattr(cls, name, None)
        if got is None:
            problems.append(f"{name}: missing")
        elif isinstance(want, property) != isinstance(got, property):
            problems.append(f"{name}: property in one, method in the other")
        elif not isinstance(want, property):
            want_params = list(inspect.signature(want).parameters)
            got_params = list(inspect.signature(got).parameters)
            if got_params != want_params:
                problems.append(f"{name}: parameters {got_params}, protocol has {want_params}")
    assert problems == []


def test_live_and_traced_episodes_are_episode_apis(fake_backend):
    ep = episode(fake_backend, max_branches=2)
    assert isinstance(ep, EpisodeAPI)
    assert isinstance(TracedEpisode(ep), EpisodeAPI)
    ep.close()
    assert not isinstance(object(), EpisodeAPI)


def test_steps_cost_generated_tokens_and_reveal_probe_or_final(fake_backend):
    ep = episode(fake_backend, max_branches=3)
    i = ep.open()
    assert (i, ep.n_opened, ep.branches_left, ep.depth(i)) == (0, 1, 2, 1)
    while not ep.is_finished(i):
        before = ep.cost
        answer = ep.step(i)
        assert 0 < ep.cost - before <= CFG.delta
        assert answer == ep.latest(i)
    assert ep.latest(i) in {"1", "2", "3"}  # the boxed digit the fake writes before EOS
    assert ep.final_answers() == [ep.latest(i)]
    assert ep.active() == []
    with pytest.raises(IllegalAction, match="finished"):
        ep.step(i)
    ep.close()


def test_illegal_actions_are_refused_like_replay(fake_backend):
    ep = episode(fake_backend, max_branches=2)
    a, b = ep.open_many(5)  # clipped to the limit
    ep.prune(a)
    with pytest.raises(IllegalAction, match="pruned"):
        ep.step(a)
    with pytest.raises(IllegalAction, match="pruned"):
        ep.probe(a)
    with pytest.raises(IllegalAction, match="already pruned"):
        ep.prune(a)
    with pytest.raises(IllegalAction, match="unknown branch"):
        ep.depth(7)
    with pytest.raises(NoBranchesLeft):
        ep.open()
    with pytest.raises(NoBranchesLeft):
        ep.read_full()
    assert ep.pruned == (True, False)
    ep.close()


def test_batch_actions_decode_branches_concurrently():
    backend = FakeBackend(delay=0.02)
    ep = episode(backend, max_branches=8, concurrency=3)
    ids = ep.open_many(8)
    assert backend.max_in_flight == 3  # the semaphore's limit, reached
    backend.max_in_flight = 0
    ep.advance([i for i in ids if not ep.is_finished(i)], steps=2)
    assert 1 < backend.max_in_flight <= 3
    backend.max_in_flight = 0
    for i in ep.active():
        ep.step(i)  # single steps run one at a time
    assert backend.max_in_flight <= 1
    ep.close()


def test_lazy_probe_sends_probe_requests_only_when_asked(fake_backend):
    ep = episode(fake_backend, max_branches=10, probe_on_step=False)
    i = next(i for i in ep.open_many(10) if not ep.is_finished(i))
    assert ep.latest(i) is None and ep.probe_tokens == 0
    first = ep.probe(i)
    assert first is not None and ep.probe_tokens > 0
    spent = ep.probe_tokens
    assert ep.probe(i) == first and ep.probe_tokens == spent  # same depth: no new request
    ep.close()


def test_read_full_reads_a_branch_whole_without_probes(fake_backend):
    ep = episode(fake_backend, max_branches=1)
    answer = ep.read_full()
    assert ep.is_finished(0) and ep.latest(0) == answer and ep.probe_tokens == 0
    assert [c for c in fake_backend.calls if c[1] == CFG.probe_tokens] == []
    ep.close()


def _replay_twin(tmp_path, backend, n_branches: int):
    """Collect the fake model's branches into a store with the same seeds as
    a LiveEpisode keyed 'q0' uses, so replay and live must agree exactly."""
    plan = CollectPlan(tmp_path / "twin.json", n_branches, CFG, concurrency=4)
    q = QuestionItem("q0", "hmm so then", "2")
    log = RawLog(plan.raw_path)
    asyncio.run(collect_rows(backend, [q], plan, log))
    log.close()

    class Exact:  # no math-verify needed: answers are digits or ERR
        def equivalent(self, gold, answer):
            return gold == answer

    write_store(plan.out, build_store([q], log.rows, plan, Exact()))
    return load_store(plan.out).questions[0]


@pytest.mark.parametrize("controller_id", sorted(available()))
def test_every_controller_makes_the_same_choices_live_and_on_replay(tmp_path, controller_id):
    question = _replay_twin(tmp_path, FakeBackend(), n_branches=12)
    controller = make(controller_id)
    replay = Episode(question, list(range(question.n_branches)))
    live = LiveEpisode(FakeBackend(), "hmm so then", CFG, key="q0", max_branches=12)
    assert controller.solve(live) == controller.solve(replay)
    assert (live.cost, live.n_opened, live.depths, live.pruned) == \
        (replay.cost, replay.n_opened, replay.depths, replay.pruned)
    live.close()
