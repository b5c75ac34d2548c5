"""Picks under the wall budget: a round is a pick only if its held-out grid fits."""

from __future__ import annotations

import math

from autotts.discovery.run.budget import REPORT_S, Budget, held_out_grid_s
from autotts.discovery.run.files import write_json
from autotts.discovery.run.integrity import seal_file
from autotts.discovery.selection.heldout import budget_picks
from autotts.discovery.selection.picks import picks


def state(n: int, acc: float, area: float, eval_s: float) -> dict:
    return {"round": n, "status": "ok", "eval_wall_s": eval_s,
            "score": {"best_accuracy": acc, "area": area}}


# round 1 is best by accuracy, round 3 best by area; round 1 is dear
DONE = [state(1, 0.50, 60.0, 100.0), state(2, 0.45, 61.0, 40.0), state(3, 0.48, 62.0, 60.0)]
COST = {1: 100.0, 2: 40.0, 3: 60.0}.__getitem__


def by_cost(s: dict) -> float:
    return COST(s["round"])


def test_without_a_cost_the_picks_are_the_best_by_accuracy_and_by_area():
    assert picks(DONE) == {"accuracy": 1, "area": 3}
    assert picks(DONE, by_cost, math.inf) == {"accuracy": 1, "area": 3}


def test_the_area_pick_must_fit_beside_the_accuracy_pick():
    assert picks(DONE, by_cost, 160.0) == {"accuracy": 1, "area": 3}
    assert picks(DONE, by_cost, 159.0) == {"accuracy": 1, "area": 2}
    # nothing fits beside it: the accuracy pick carries both
    assert picks(DONE, by_cost, 120.0) == {"accuracy": 1, "area": 1}


def test_a_round_whose_grid_does_not_fit_alone_is_not_the_accuracy_pick():
    assert picks(DONE, by_cost, 99.0) == {"accuracy": 3, "area": 3}
    assert picks(DONE, by_cost, 59.0) == {"accuracy": 2, "area": 2}


def test_when_nothing_fits_the_unconstrained_accuracy_pick_is_both():
    assert picks(DONE, by_cost, 10.0) == {"accuracy": 1, "area": 1}
    assert picks([], by_cost, 10.0) == {"accuracy": None, "area": None}


def test_budget_picks_cost_rounds_on_the_held_out_stores_and_say_what_they_passed_over(make_run):
    run = make_run()
    run.meta["baselines_wall_s"] = 0.0
    held_scale = len(run.store_refs("held_out")) / len(run.store_refs("search"))
    kw = dict(seeds=run.cfg.run.seeds, screen_seeds=0, held_scale=held_scale)
    grid = {s["round"]: held_out_grid_s(s, **kw) for s in DONE}
    assert budget_picks(run, DONE, None) == ({"accuracy": 1, "area": 3}, [])
    assert budget_picks(run, DONE, Budget(0)) == ({"accuracy": 1, "area": 3}, [])
    # room for round 1 and round 2 (not 3) after the report's reserve
    total = REPORT_S + grid[1] + grid[2] + 1.0
    chosen, notes = budget_picks(run, DONE, Budget(total, spent_before_s=0.0))
    assert chosen == {"accuracy": 1, "area": 2}
    assert len(notes) == 1 and notes[0].startswith("round 3, the best by area, is not a pick")
    # round 3's grid on disk but unsealed: it would be re-derived, so it is still costed
    write_json(run.dir / "final" / "heldout_r0003.json", {"round": 3, "full": True})
    assert budget_picks(run, DONE, Budget(total, spent_before_s=0.0))[0]["area"] == 2
    # sealed (a resumed finalize): it costs nothing more
    seal_file(run, "final/heldout_r0003.json", 3)
    chosen, notes = budget_picks(run, DONE, Budget(total, spent_before_s=0.0))
    assert chosen == {"accuracy": 1, "area": 3} and notes == []


def with_fitness(s: dict, fit: float) -> dict:
    return {**s, "score": {**s["score"], "fitness": fit}}


# the proposer's fitness ranks round 2 first (what the search maximised)
FIT = [with_fitness(DONE[0], 50.0), with_fitness(DONE[1], 55.0), with_fitness(DONE[2], 52.0)]


def test_rounds_with_a_fitness_are_picked_by_it_instead_of_by_area():
    assert picks(FIT) == {"accuracy": 1, "fitness": 2}
    # a round the rule gave no fitness (nan) is never picked by it
    assert picks([FIT[0], with_fitness(DONE[1], math.nan), FIT[2]])["fitness"] == 3
    # ties go to the earlier round
    assert picks([FIT[0], FIT[1], with_fitness(DONE[2], 55.0)])["fitness"] == 2


def test_the_fitness_pick_must_fit_beside_the_accuracy_pick():
    assert picks(FIT, by_cost, 140.0) == {"accuracy": 1, "fitness": 2}
    # round 1 leaves 39 s: round 2 (40 s) no longer fits, nor round 3: round 1 carries both
    assert picks(FIT, by_cost, 139.0) == {"accuracy": 1, "fitness": 1}
    # round 1 does not fit alone: the accuracy pick is round 3, and round 2 (40 s)
    # does not fit in the 39 s beside it
    assert picks(FIT, by_cost, 99.0) == {"accuracy": 3, "fitness": 3}
