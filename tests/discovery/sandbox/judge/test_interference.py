"""The judge's interference check (discovery/sandbox/judge/interference.py, twins.py,
episode_worker.py): sample size, sampling, twin questions that keep exactly
what an episode revealed, the comparison, and the sandboxed check itself."""

from __future__ import annotations

import math
import random

import pytest

from autotts.discovery.sandbox.judge.cost_books import encode_ints
from autotts.discovery.sandbox.judge.interference import (
    CONFIDENCE,
    RATE,
    draw,
    first_difference,
    sample_size,
)
from autotts.discovery.sandbox.judge.twins import donor_pool, real_record, twin_record
from autotts.discovery.sandbox.recording import RecordingEpisode
from autotts.env.store import load_store, store_from_records
from autotts.evaluation.protocol import shuffled_order


@pytest.fixture(scope="module")
def store(synth_data):
    return load_store(synth_data / "ModelA" / "aime24.json", name="ModelA/aime24")


def test_sample_size_follows_the_bound():
    n = sample_size(10 ** 6)
    assert n == 688 == math.ceil(math.log(1 - CONFIDENCE) / math.log(1 - RATE))
    assert (1 - RATE) ** n <= 1 - CONFIDENCE < (1 - RATE) ** (n - 1)
    assert sample_size(100) == 100


def _raw(store, seeds, play):
    """A main-run cell result of ``play`` (episode -> answer) over ``seeds``."""
    answers, opened, depths = [], [], []
    for s in seeds:
        for q in store.questions:
            ep = RecordingEpisode(q, shuffled_order(s, q.n_branches))
            answers.append(play(ep))
            n, log = ep.log()
            opened.append(n)
            depths += log
    return {"answers": answers, "opened": encode_ints(opened), "depths": encode_ints(depths)}


def _mixed(ep):
    """Some branches read whole, some stepped to the end, some left unfinished."""
    ep.read_full()
    i = ep.open()
    while not ep.is_finished(i):
        ep.step(i)
    for j in ep.open_many(3):
        ep.step(j) if not ep.is_finished(j) else None
    return ep.latest(1)


def test_draw_finds_each_sampled_episode_of_the_main_log(store):
    seeds = [3, 4]
    cells = [(0, {"beta": 0.0}, _raw(store, seeds, _mixed)),
             (0, {"beta": 1.0}, _raw(store, seeds, lambda ep: ep.read_full()))]
    picks = draw(cells, [store], seeds, random.Random(1))
    assert len(picks) == 2 * len(seeds) * len(store.questions)   # fewer than 688: all of them
    for e in picks:
        q = store.questions[e.question]
        ep = RecordingEpisode(q, shuffled_order(e.seed, q.n_branches))
        answer = _mixed(ep) if e.cell == 0 else ep.read_full()
        assert (answer, tuple(ep.log()[1])) == (e.answer, e.depths)


def _trace(question, seed):
    ep = RecordingEpisode(question, shuffled_order(seed, question.n_branches))
    out = [ep.read_full(), ep.cost, ep.depths]
    i = ep.open()
    while not ep.is_finished(i):
        out.append((ep.step(i), ep.cost, ep.depths))
    for j in ep.open_many(3):
        out.append((ep.latest(j), ep.cost, ep.depths, ep.is_finished(j)))
        if not ep.is_finished(j):
            out.append((ep.step(j), ep.cost, ep.depths, ep.is_finished(j)))
    return out, ep.log()[1]


def test_a_twin_reveals_exactly_what_the_episode_revealed(store):
    pool, rng = donor_pool(store), random.Random(7)
    changed = 0
    for seed in range(5):
        for qi, q in enumerate(store.questions):
            seen, log = _trace(q, seed)
            rec = twin_record(store, qi, seed, log, pool, rng)
            twin = store_from_records([rec], name="twin").questions[0]
            assert twin.n_branches == q.n_branches and twin.delta == q.delta
            assert _trace(twin, seed) == (seen, log)
            real = real_record(store, qi)["each_branch"]
            order = shuffled_order(seed, q.n_branches)
            unopened = [real[b] for b in order[len(log):]]
            changed += sum(a != b for a, b in zip(unopened, [rec["each_branch"][b]
                                                             for b in order[len(log):]]))
            for p, t, _ in rec["each_branch"]:     # the store's invariants hold
                assert t >= 0 and isinstance(p, list)
    assert changed > 0.8 * 5 * len(store.questions) * (q.n_branches - 5)


def test_first_difference_names_what_differs():
    want = {"answer": "11", "depths": [0, 3, 1]}
    assert first_difference(want, {"answer": "11", "depths": [0, 3, 1]}) is None
    assert "answer '12'" in first_difference(want, {"answer": "12", "depths": [0, 3, 1]})
    assert "opened 2 branches instead of 3" in first_difference(
        want, {"answer": "11", "depths": [0, 3]})
    assert "branch 1" in first_difference(want, {"answer": "11", "depths": [0, 2, 1]})
    assert "failed (boom)" in first_difference(want, {"error": "boom"})



def _first_to_end(ep):
    i = ep.open()
    while not ep.is_finished(i):
        ep.step(i)
    return ep.latest(i)


def _branches(rec: dict) -> list[tuple]:
    """The (probe answers, length, final answer) branches of a compact record."""
    labels = rec["labels"]
    return [(tuple(labels[x] for x in row), t, labels[f])
            for row, t, f in zip(rec["rows"], rec["tokens"], rec["finals"])]


def test_no_twin_job_holds_unrevealed_data_of_a_question_it_plays(store):
    from autotts.discovery.sandbox.judge.twin_jobs import alone_jobs, twin_jobs

    seeds = list(range(6))
    cells = [(0, {}, _raw(store, seeds, _first_to_end))]
    sample = draw(cells, [store], seeds, random.Random(3))
    alone = alone_jobs(sample, [store], 3)
    assert sorted(k for _, _, where in alone for k in where) == list(range(len(sample)))
    jobs = twin_jobs(sample, [store], random.Random(3))
    assert sorted(k for _, _, where in jobs for k in where) == list(range(len(sample)))
    real = {qi: {(tuple(p), t, f) for p, t, f in real_record(store, qi)["each_branch"]}
            for qi in range(len(store.questions))}
    for records, _, where in jobs:
        mine = [sample[k].question for k in where]
        assert len(mine) == len(set(mine)) <= len(store.questions) // 2
        held = {b for rec in records for b in _branches(rec)}
        for k in where:   # only the one branch its episode stepped to the end
            e = sample[k]
            shown = real_record(store, e.question)["each_branch"][
                shuffled_order(e.seed, store.questions[e.question].n_branches)[0]]
            assert held & real[e.question] == {(tuple(shown[0]), shown[1], shown[2])}


def _fields(q):
    return (q.index, q.text, q.gold, q.gold_id, q.delta, q.labels, q.probes.tolist(),
            q.n_probes.tolist(), q.tokens.tolist(), q.finals.tolist())


@pytest.mark.parametrize("name", ["ModelA/aime24", "ModelB/aime24"])
def test_a_compact_record_is_the_question_its_gold_free_record_compiles_to(synth_data, name):
    """The alone jobs' compact records (sandbox/compact.py) give the worker
    exactly the question the main run's job compiled from its gold-free record."""
    import json

    from autotts.discovery.sandbox.compact import compact_record, compact_store

    store = load_store(synth_data / f"{name}.json", name=name)
    sent = json.loads(json.dumps([compact_record(q) for q in store.questions]))
    want = store_from_records([real_record(store, qi) for qi in range(len(store.questions))],
                              name="judge")
    got = compact_store(sent, name="judge")
    assert [_fields(q) for q in got.questions] == [_fields(q) for q in want.questions]
    assert any(q.gold_id >= 0 for q in store.questions)  # the real gold ids were there to hide
    assert all(q.gold_id == -1 for q in got.questions)


def test_a_compact_twin_is_the_question_its_twin_record_compiles_to(store):
    """The twin jobs' compact records: the question the twin's gold-free record compiles to."""
    from autotts.discovery.sandbox.compact import compact_from_record, compact_store

    pool, rng = donor_pool(store), random.Random(3)
    records = [twin_record(store, qi, 5, [0, 2, 1], pool, rng)
               for qi in range(len(store.questions))]
    want = store_from_records(records, name="judge")
    got = compact_store([compact_from_record(r) for r in records], name="judge")
    assert [_fields(q) for q in got.questions] == [_fields(q) for q in want.questions]
