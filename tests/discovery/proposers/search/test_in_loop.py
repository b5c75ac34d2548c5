"""The search inside the loop: the run seed reaches it, it screens on the
search split only, and its rounds land in the archive like any other."""

from __future__ import annotations

import json

from autotts.discovery.loop import run_loop
from autotts.discovery.proposers.search.proposer import SearchProposer
from autotts.discovery.round.state import round_states
from autotts.discovery.selection.report import write_report

SMALL = {"population": 4, "per_round": 5, "batch": 3, "promote": 1, "promote_seeds": 2,
         "token_lo": 1_000, "token_hi": 20_000}


def run_and_close(run, proposer) -> None:
    """The loop with ``proposer``, whose screening workers stop afterwards."""
    try:
        run_loop(run, proposer)
    finally:
        proposer.close()


class Recording(SearchProposer):
    """The search proposer, remembering every context it was given."""

    def __init__(self, **settings):
        super().__init__(**settings)
        self.contexts = []

    def propose(self, ctx):
        self.contexts.append(ctx)
        return super().propose(ctx)


def test_the_run_seed_and_only_the_search_split_reach_the_search(make_run):
    run = make_run(rounds=2, seed=4, proposer="search")
    proposer = Recording(**SMALL)
    run_and_close(run, proposer)
    assert [c.seed for c in proposer.contexts] == [4, 4]
    names = [dict(c.search_stores) for c in proposer.contexts]
    assert all(sorted(n) == ["ModelA/aime24", "ModelB/aime24"] for n in names)
    assert not any("aime25" in p for n in names for p in n.values())  # no held-out store
    states = [s for s in round_states(run) if s["phase"] == "done"]
    assert [s["status"] for s in states] == ["ok", "ok"]
    assert all(s["proposal_meta"]["search"]["screened"] for s in states)


def test_same_run_seed_same_candidates_another_seed_other_ones(make_run):
    sources = {}
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        run = make_run(name, rounds=1, seed=seed, proposer="search")
        proposer = SearchProposer(start="blank", **SMALL)
        try:
            run_loop(run, proposer)
        finally:
            proposer.close()
        sources[name] = (run.dir / "rounds" / "r0001" / "candidate.py").read_text()
    assert sources["a"] == sources["b"]
    assert sources["a"] != sources["c"]


def test_rounds_are_scored_and_picked_by_the_searchs_own_fitness(make_run):
    """With the search as proposer every round carries the search's fitness of
    its curves on all seeds, and the second pick is the best by it (not by area)."""
    from autotts.discovery.round.scoring import curves_of
    from autotts.discovery.round.steps import load_cells
    from autotts.discovery.selection.heldout import finalize

    run = make_run(rounds=3, seed=4, proposer="search", proposer_settings=SMALL)
    proposer = SearchProposer(start="blank", **SMALL)
    run_and_close(run, proposer)
    rule = SearchProposer.fitness_rule(**SMALL)
    ok = [s for s in round_states(run) if s["status"] == "ok"]
    assert len(ok) == 3
    for s in ok:
        expected = rule(curves_of(load_cells(run, s["round"])))
        assert expected is not None and s["score"]["fitness"] == expected
    sel = finalize(run)
    best = max(ok, key=lambda s: (s["score"]["fitness"], -s["round"]))
    assert set(sel["picks"]) == {"accuracy", "fitness"}
    assert sel["picks"]["fitness"] == best["round"]
    # the search has a fitness rule: its fitness pick is the primary one, kept in the file
    assert sel["primary"] == "fitness"
    assert json.loads((run.dir / "final" / "selection.json").read_text())["primary"] == "fitness"
    held = run.dir / "final" / f"heldout_r{best['round']:04d}.json"
    assert held.is_file() and '"full": true' in held.read_text()
    text = write_report(run).read_text()
    assert "| frontier area | fitness | note |" in text
    assert f"- by fitness: round {best['round']}" in text


def test_a_run_without_a_fitness_rule_picks_by_area_and_has_no_fitness_column(make_run):
    from autotts.discovery.selection.heldout import finalize

    run = make_run(rounds=1, seed=4, proposer="manual")
    run_loop(run, SearchProposer(start="blank", **SMALL))  # the config names no fitness rule
    assert "fitness" not in round_states(run)[0]["score"]
    sel = finalize(run)
    assert set(sel["picks"]) == {"accuracy", "area"} and sel["primary"] == "accuracy"
    assert "fitness" not in write_report(run).read_text()


def test_the_envelope_objective_scores_against_the_runs_search_baselines(make_run):
    """Objective "envelope" in the loop: the proposer is handed the run's search
    baselines, and every round's fitness is the yardstick's score of its curves
    on all seeds, against those same baselines."""
    from autotts.discovery.proposers.search.yardstick import envelope_fitness, yardstick
    from autotts.discovery.round.scoring import curves_of
    from autotts.discovery.round.steps import load_cells

    settings = {**SMALL, "objective": "envelope"}
    run = make_run(rounds=2, seed=4, proposer="search", proposer_settings=settings)
    proposer = Recording(start="blank", **settings)
    run_and_close(run, proposer)
    rows = run.baselines("search")
    assert all(c.search_baselines == tuple(rows) for c in proposer.contexts)
    names = [r["name"] for r in run.store_refs("search")]
    ok = [s for s in round_states(run) if s["status"] == "ok"]
    assert ok
    for s in ok:
        curves = curves_of(load_cells(run, s["round"]))
        assert all(p.get("q_rate") for pts in curves.values() for p in pts)
        assert s["score"]["fitness"] == envelope_fitness(curves, yardstick(rows, names))[0]
