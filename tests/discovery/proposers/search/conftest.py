"""Fixtures for the search proposer tests: a tiny synthetic store and
helpers that load generated controller source."""

from __future__ import annotations

import itertools
import json
import random
import sys
import types
from pathlib import Path

import pytest

from autotts.env.store import load_store

_counter = itertools.count()


def synthetic_questions(n_questions: int = 3, n_branches: int = 80, seed: int = 0) -> list[dict]:
    """Questions whose branches drift toward the gold answer "7" (or a rival),
    with uneven lengths; more branches than the 64-branch ceiling."""
    rng = random.Random(seed)
    out = []
    for q in range(n_questions):
        branches = []
        for _ in range(n_branches):
            n_probes = rng.randint(1, 12)
            final = rng.choice(["7", "7", "7", "3", "ERR"])
            probes = [rng.choice(["ERR", "3", final]) if j < n_probes // 2 else final
                      for j in range(n_probes)]
            branches.append([probes, n_probes * 500 + rng.randint(1, 900), final])
        out.append({"question": f"q{q}", "gold_answer": "7", "probe_freq": 500,
                    "final_answers_trace": [b[2] for b in branches], "each_branch": branches})
    return out


@pytest.fixture(scope="session")
def synthetic_store(tmp_path_factory):
    """A small store (3 questions x 80 branches) written to a temp file."""
    path = Path(tmp_path_factory.mktemp("store")) / "Synthetic" / "toy.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(synthetic_questions()))
    return load_store(path, name="Synthetic/toy")


def load_module(source: str) -> types.ModuleType:
    """Execute generated source as its own module and return the module."""
    name = f"generated_candidate_{next(_counter)}"
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses looks the module up while building the class
    try:
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    finally:
        del sys.modules[name]
    return module


def load_controller_class(source: str, class_name: str = "SearchController") -> type:
    """The controller class of generated source."""
    return getattr(load_module(source), class_name)
