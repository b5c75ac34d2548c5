"""The primary pick (issue 30): the fitness pick when the run's proposer has a
fitness rule and that pick exists, else the accuracy pick; derived the same way
for a selection.json written before the rule; marked in what the verdict prints."""

from __future__ import annotations

from autotts.cli.verdict_cmd import verdict_lines
from autotts.discovery.selection.picks import primary_pick, selection_primary
from autotts.discovery.selection.run_verdict import pick_name, verdict_markdown


def test_fitness_is_primary_only_with_a_rule_and_a_fitness_pick():
    assert primary_pick({"accuracy": 2, "fitness": 4}, has_fitness=True) == "fitness"
    assert primary_pick({"accuracy": 2, "fitness": None}, has_fitness=True) == "accuracy"
    # a rule that scored no round: the second pick is "area", so accuracy is primary
    assert primary_pick({"accuracy": 2, "area": 3}, has_fitness=True) == "accuracy"
    assert primary_pick({"accuracy": 2, "area": 3}, has_fitness=False) == "accuracy"
    assert primary_pick({"accuracy": None, "area": None}, has_fitness=False) == "accuracy"


def test_an_older_selection_derives_the_primary_from_its_picks():
    assert selection_primary({"picks": {"accuracy": 2, "fitness": 4}}) == "fitness"
    assert selection_primary({"picks": {"accuracy": 2, "fitness": None}}) == "accuracy"
    assert selection_primary({"picks": {"accuracy": 1, "area": 1}}) == "accuracy"
    # a recorded primary is taken as written
    assert selection_primary({"picks": {"accuracy": 1, "fitness": 3},
                              "primary": "accuracy"}) == "accuracy"


def test_pick_names_mark_the_primary_pick():
    assert pick_name("fitness", 4, "fitness") == "fitness (r4, primary)"
    assert pick_name("accuracy", 2, "fitness") == "accuracy (r2)"
    assert pick_name("accuracy", None, "fitness") == "accuracy"
    assert pick_name("accuracy", None, "accuracy") == "accuracy (primary)"


def _doc() -> dict:
    gap = {"estimate": 0.5, "lo": -0.1, "hi": 0.9, "frac_le_zero": 0.2}
    pick = {"round": 4, "note": "seal checked", "settings": 3, "mean_gap": gap, "at_gap": gap,
            "levels": [1e5, 6e5], "at": 331_000.0, "level": 0.95, "resamples": 100,
            "resampled": "problems", "tokens_resampled": True}
    return {"run": "r", "id": "x", "proposer": "search", "search": ["M/aime24"],
            "held_out": ["M/aime25"], "baselines": {"source": "kept", "settings": {"sc": 7}},
            "primary": "fitness",
            "picks": {"accuracy": {**pick, "round": 2}, "fitness": pick}}


def test_the_verdict_text_and_the_report_table_mark_the_primary_pick():
    text = "\n".join(verdict_lines(_doc()))
    assert "pick by fitness (r4, primary), 3 settings" in text
    assert "pick by accuracy (r2), 3 settings" in text
    assert "primary pick: fitness" in text
    table = "\n".join(verdict_markdown(_doc()))
    assert "| fitness (r4, primary) | 3 | +0.50 [-0.10, +0.90] |" in table
    assert "| accuracy (r2) | 3 |" in table
