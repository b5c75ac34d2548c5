"""Every genome the space can express becomes source that compiles, passes
the candidate rules (allowlisted imports, no dunder or private attribute),
runs on a store, and respects the 64-branch ceiling."""

from __future__ import annotations

import ast
import itertools

import pytest

from autotts.discovery.proposers.search.codegen import render
from autotts.discovery.proposers.search.designs import SEEDS
from autotts.discovery.proposers.search.space import SLOTS, knob_values, normalize
from autotts.env.episode import Episode
from autotts.evaluation.protocol import evaluate, shuffled_order

from .conftest import load_controller_class, load_module

ALLOWED = {"math", "collections", "itertools", "functools", "heapq", "dataclasses", "typing",
           "numpy", "autotts.controllers.base", "autotts.controllers.voting", "__future__"}
FORBIDDEN_NAMES = {"eval", "exec", "open", "getattr", "setattr", "globals", "locals", "vars",
                   "compile", "__import__", "input", "breakpoint"}


def all_genomes() -> list[dict]:
    """One genome per combination of variants, with default knobs."""
    slots = list(SLOTS)
    return [normalize({"parts": dict(zip(slots, combo)), "coefs": {}})
            for combo in itertools.product(*(SLOTS[s] for s in slots))]


def rule_violations(source: str) -> list[str]:
    """What a static check of the candidate rules finds wrong (empty = clean)."""
    bad = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            bad += [a.name for a in node.names if a.name.split(".")[0] not in ALLOWED]
        elif isinstance(node, ast.ImportFrom):
            if node.module not in ALLOWED:
                bad.append(f"from {node.module}")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            bad.append(f".{node.attr}")
        elif isinstance(node, ast.Name) and (node.id in FORBIDDEN_NAMES
                                             or node.id.startswith("__")):
            bad.append(node.id)
    return bad


def test_the_rule_checker_catches_violations():
    assert rule_violations("import os\nx.__class__\ny._slots\neval('1')") == [
        "os", ".__class__", "._slots", "eval"]


def pairwise_cover(genomes: list[dict]) -> list[dict]:
    """A small subset in which every pair of variants of two slots occurs."""
    def pairs(g):
        items = sorted(g["parts"].items())
        return set(itertools.combinations(items, 2))
    todo = set().union(*(pairs(g) for g in genomes))
    chosen = []
    while todo:
        best = max(genomes, key=lambda g: len(pairs(g) & todo))
        chosen.append(best)
        todo -= pairs(best)
    return chosen


GENOMES = all_genomes()
COVER = pairwise_cover(GENOMES)


def test_space_is_the_full_product_of_variants():
    assert len({str(g) for g in GENOMES}) == len(GENOMES) == 6 * 6 * 4 * 5 * 6
    assert len(COVER) < 60


def _ids(g: dict) -> str:
    return "-".join(g["parts"].values())


@pytest.mark.parametrize("genome", COVER, ids=_ids)
def test_genomes_covering_every_pair_of_parts_compile_and_run(genome, synthetic_store):
    check_genome(genome, synthetic_store)


@pytest.mark.slow
def test_every_genome_compiles_and_follows_the_rules(synthetic_store):
    for genome in GENOMES:
        check_genome(genome, synthetic_store)


def check_genome(genome: dict, store) -> None:
    """Source passes the rules, loads, answers with a string or None at both
    ends of beta, and never opens more than 64 branches."""
    source = render(genome)
    assert rule_violations(source) == []
    cls = load_controller_class(source)
    for beta in (0.0, 1.0):
        controller = cls(beta=beta)
        q = store.questions[0]
        ep = Episode(q, shuffled_order(3, q.n_branches))
        answer = controller.solve(ep)
        assert answer is None or isinstance(answer, str)
        assert ep.n_opened <= 64


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_generated_schedule_matches_the_space(name):
    schedule = load_module(render(SEEDS[name])).schedule
    for beta in (0.0, 0.13, 0.5, 0.77, 1.0):
        assert schedule(beta) == knob_values(SEEDS[name], beta)


def test_wide_genome_stops_at_the_ceiling(synthetic_store):
    """Asking for more than 64 branches still opens at most 64."""
    g = normalize({"parts": {"vote": "latest", "widen": "burst", "depth": "uniform",
                             "prune": "none", "stop": "stable"},
                   "coefs": {"n_init": [64, 0], "max_branches": [64, 0], "widen_size": [16, 0],
                             "every": [1, 0], "stable_steps": [80, 0]}})
    cls = load_controller_class(render(g))
    result = evaluate(synthetic_store, cls(beta=1.0), seeds=3)
    assert result.tokens > 0
    for q in synthetic_store.questions:
        ep = Episode(q, shuffled_order(0, q.n_branches))
        cls(beta=1.0).solve(ep)
        assert ep.n_opened == 64


@pytest.mark.parametrize("genome", COVER, ids=_ids)
def test_the_loops_validator_accepts_generated_candidates(genome):
    validate = pytest.importorskip("autotts.discovery.sandbox.static_check")
    checked = validate.validate_source(render(genome))
    assert (checked.class_name, checked.api) == ("SearchController", "episode")


def test_part_sources_are_the_ast_segments():
    """part_sources splits each file once; the segments are ast.get_source_segment's."""
    import inspect

    from autotts.controllers import branches, moves, parts
    from autotts.discovery.proposers.search import codegen

    want = {}
    for module in (branches, moves, parts):
        text = inspect.getsource(module)
        want.update({node.name: ast.get_source_segment(text, node)
                     for node in ast.parse(text).body
                     if isinstance(node, (ast.FunctionDef, ast.ClassDef))})
    assert codegen.part_sources() == want
    text = "x = 1\r\ndef f():\r\n    return 'é'\x0c\rclass C:\n    pass"
    for node in ast.parse(text).body:
        assert codegen._segment(codegen._split_lines(text), node) == \
            ast.get_source_segment(text, node)


def test_every_archived_fold_candidate_still_renders_byte_identically():
    """The fold table's kept candidates (results/folds, all of them the built-in
    search's) are recognised as generated: rendering their genome today gives their
    exact bytes, so moving or editing a part cannot silently change what an
    archived design means (or move it off the compiled kernel)."""
    from pathlib import Path

    from autotts.discovery.proposers.search.recognize import generated_genome

    root = Path(__file__).resolve().parents[4] / "results" / "folds"
    files = sorted(root.glob("**/rounds/r*/candidate.py"))
    assert len(files) >= 300  # the default, blank-start and 15-round tables' rounds
    unread = [str(f.relative_to(root)) for f in files
              if generated_genome(f.read_text()) is None]
    assert unread == []
