"""The proposer: seeds first, then evolution; deterministic for a seed and a
history; resumable (no hidden state); failed rounds never stop it."""

from __future__ import annotations

from pathlib import Path

import pytest

from autotts.discovery.proposers.base import ProposalContext, RoundSummary
from autotts.discovery.search.evolve import Settings, fitness, mean_curve, ranked
from autotts.discovery.search.proposer import SearchProposer, archive_from
from autotts.discovery.search.space import behaviour_key, knob_values, seed_genome

BETAS = [0.0, 0.5, 1.0]


def fake_curves(genome: dict) -> dict:
    """A made-up but genome-dependent scaling curve on two stores: wider
    starts cost more and help a little; the stop threshold helps."""
    out = {}
    for store, shift in (("A/aime24", 0.0), ("B/aime24", 5.0)):
        pts = []
        for b in BETAS:
            v = knob_values(genome, b)
            tokens = 60_000 + 40_000 * v["n_init"] + 200_000 * b
            acc = 40 + shift + 3 * min(v["n_init"], 8) + 10 * v.get("conf_thresh", 0.8) + 5 * b
            pts.append({"beta": b, "accuracy": acc, "tokens": tokens})
        out[store] = pts
    return out


def run(proposer: SearchProposer, rounds: int, seed: int, tmp: Path, fail: set[int] = frozenset(),
        history: list[RoundSummary] | None = None) -> list[RoundSummary]:
    """Drive the proposer like the loop would, with fake evaluations."""
    history = list(history or [])
    for rnd in range(len(history) + 1, rounds + 1):
        ctx = ProposalContext(round=rnd, workspace=tmp, candidate_path=tmp / "candidate.py",
                              prompt="", history=tuple(history), seed=seed)
        prop = proposer.propose(ctx)
        ok = rnd not in fail
        history.append(RoundSummary(round=rnd, status="ok" if ok else "failed", source=prop.source,
                                    error=None if ok else "boom",
                                    curves=fake_curves(prop.meta["genome"]) if ok else {},
                                    meta=prop.meta))
    return history


def test_same_seed_same_proposals(tmp_path):
    a = run(SearchProposer(), 6, seed=7, tmp=tmp_path)
    b = run(SearchProposer(), 6, seed=7, tmp=tmp_path)
    assert [r.source for r in a] == [r.source for r in b]
    assert [r.meta for r in a] == [r.meta for r in b]


def test_other_seed_other_proposals_after_the_seeds(tmp_path):
    a = run(SearchProposer(), 8, seed=1, tmp=tmp_path)
    b = run(SearchProposer(), 8, seed=2, tmp=tmp_path)
    assert [r.source for r in a[:3]] == [r.source for r in b[:3]]  # the seed designs
    assert [r.source for r in a[3:]] != [r.source for r in b[3:]]


def test_random_seed_setting_gives_another_deterministic_search(tmp_path):
    """The loop passes the round as ctx.seed; the proposer's own random_seed
    setting is what picks another search for the same run."""
    a = run(SearchProposer(random_seed=5), 8, seed=1, tmp=tmp_path)
    b = run(SearchProposer(random_seed=5), 8, seed=1, tmp=tmp_path)
    c = run(SearchProposer(), 8, seed=1, tmp=tmp_path)
    assert [r.source for r in a] == [r.source for r in b]
    assert [r.source for r in a[3:]] != [r.source for r in c[3:]]


def test_resumed_run_proposes_what_an_unbroken_one_does(tmp_path):
    whole = run(SearchProposer(), 7, seed=3, tmp=tmp_path)
    resumed = run(SearchProposer(), 7, seed=3, tmp=tmp_path, history=whole[:4])
    assert [r.source for r in resumed] == [r.source for r in whole]


def test_seed_designs_come_first_in_order(tmp_path):
    hist = run(SearchProposer(), 3, seed=0, tmp=tmp_path)
    expected = [seed_genome(n) for n in ("cmc", "asc", "parallel-probe")]
    assert [r.meta["genome"] for r in hist] == expected
    assert all("class SearchController(Controller)" in r.source for r in hist)


def test_no_behaviour_is_proposed_twice_and_failures_do_not_stop_it(tmp_path):
    hist = run(SearchProposer(), 12, seed=5, tmp=tmp_path, fail={2, 5})
    keys = [behaviour_key(r.meta["genome"]) for r in hist]
    assert len(set(keys)) == len(keys)
    archive = archive_from(hist, Settings())
    assert [s.fitness is None for s in archive][1] and archive[4].fitness is None


def test_children_descend_from_the_best(tmp_path):
    hist = run(SearchProposer(), 10, seed=0, tmp=tmp_path)
    archive = archive_from(hist, Settings())
    best = ranked(archive, 1)[0]
    parents = {p for r in hist[3:] for p in r.meta["parents"]}
    assert best.round in parents or any(r.round == best.round for r in hist[3:])


def test_rounds_from_other_proposers_are_ignored(tmp_path):
    foreign = RoundSummary(round=1, status="ok", source="# hand-written", curves={}, meta={})
    hist = run(SearchProposer(), 2, seed=0, tmp=tmp_path, history=[foreign])
    assert hist[1].meta["genome"] == seed_genome("cmc")


def test_fitness_is_the_frontier_area_of_the_store_mean_curve():
    curves = {"A": [{"beta": 0.0, "accuracy": 50, "tokens": 100_000},
                    {"beta": 1.0, "accuracy": 60, "tokens": 400_000}],
              "B": [{"beta": 0.0, "accuracy": 70, "tokens": 300_000},
                    {"beta": 1.0, "accuracy": 80, "tokens": 800_000},
                    {"beta": 0.5, "accuracy": 99, "tokens": 500_000}]}  # not on every store
    assert mean_curve(curves) == [(200_000, 60), (600_000, 70)]
    area, best = fitness(curves, Settings(token_lo=100_000, token_hi=1_000_000))
    assert best == 70
    assert area == pytest.approx((60 * 0.4771 + 70 * 0.2218) / 1.0, abs=0.01)
    assert fitness(curves, Settings(objective="accuracy"))[0] == 70
    assert fitness({}, Settings()) is None


@pytest.mark.parametrize("bad", [{"population": 0}, {"objective": "speed"}, {"seeds": ["zzz"]},
                                 {"token_lo": 5, "token_hi": 1}, {"colour": "red"},
                                 {"crossover": "often"}])
def test_bad_settings_are_refused_with_a_clear_error(bad):
    with pytest.raises(ValueError):
        SearchProposer(**bad)


def test_a_cost_that_falls_with_beta_gets_no_fitness():
    rising = {"A": [{"beta": 0.0, "accuracy": 50, "tokens": 100_000},
                    {"beta": 0.5, "accuracy": 55, "tokens": 99_000},   # within 2%: noise
                    {"beta": 1.0, "accuracy": 60, "tokens": 300_000}]}
    falling = {"A": [{"beta": 0.0, "accuracy": 50, "tokens": 100_000},
                     {"beta": 0.5, "accuracy": 55, "tokens": 300_000},
                     {"beta": 1.0, "accuracy": 60, "tokens": 250_000}]}
    assert fitness(rising, Settings()) is not None
    assert fitness(falling, Settings()) is None


def test_without_seed_designs_it_still_proposes(tmp_path):
    hist = run(SearchProposer(seeds=[]), 3, seed=0, tmp=tmp_path, fail={1, 2, 3})
    assert len({behaviour_key(r.meta["genome"]) for r in hist}) == 3


def test_a_slow_drift_down_is_caught_too():
    drift = {"A": [{"beta": b / 4, "accuracy": 50, "tokens": 100_000 * (1 - 0.015 * b)}
                   for b in range(5)]}  # each step -1.5%, -6% overall
    assert fitness(drift, Settings()) is None


def test_seed_names_may_come_as_one_string():
    assert SearchProposer(seeds="cmc").settings.seeds == ("cmc",)
    assert SearchProposer(seeds="asc, cmc").settings.seeds == ("asc", "cmc")
