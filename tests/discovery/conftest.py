"""Fixtures for the discovery tests: a small synthetic data directory laid out
like the published one (<Model>/<dataset>.json) and a run factory."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from autotts.discovery.run.config import RunConfig
from autotts.discovery.run.directory import init_run, open_run

CANDIDATES = Path(__file__).parent / "candidates"
LABELS = ("11", "12", "13", "14", "ERR")


def synthetic_question(rng: random.Random, n_branches: int = 24) -> dict:
    """Branches whose probes drift towards a final answer; gold wins about half the votes."""
    gold = rng.choice(LABELS[:4])
    branches = []
    for _ in range(n_branches):
        final = gold if rng.random() < 0.5 else rng.choice(LABELS)
        k = rng.randint(1, 6)
        probes = [final if rng.random() < (j + 1) / (k + 1) else rng.choice(LABELS)
                  for j in range(k)]
        branches.append([probes, 500 * k + rng.randint(0, 499), final])
    return {"question": "synthetic", "gold_answer": gold, "probe_freq": 500,
            "final_answers_trace": [b[2] for b in branches], "each_branch": branches}


def write_synthetic(root: Path, name: str, seed: int, n_questions: int = 6) -> Path:
    rng = random.Random(seed)
    path = root / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([synthetic_question(rng) for _ in range(n_questions)]))
    return path


@pytest.fixture(scope="session")
def synth_data(tmp_path_factory) -> Path:
    """Directory with ModelA/ModelB aime24 (search) and ModelA aime25 (held-out)."""
    root = tmp_path_factory.mktemp("data")
    for i, name in enumerate(("ModelA/aime24", "ModelB/aime24", "ModelA/aime25")):
        write_synthetic(root, name, seed=10 + i)
    return root


def small_config(data: Path, **kw) -> RunConfig:
    """Few seeds, a three-point grid, two workers: fast enough for unit tests."""
    base = dict(rounds=3, seeds=3, betas=(0.0, 0.5, 1.0), search=("ModelA/aime24", "ModelB/aime24"),
                held_out=("ModelA/aime25",), data=str(data), proposer="manual", workers=2,
                baselines=("sc", "asc"), job_timeout_s=60.0, memory_mb=2048)
    base.update(kw)
    return RunConfig(**base)


@pytest.fixture
def make_run(tmp_path, synth_data):
    """Factory: a fresh run directory with the small config (overrides as keywords)."""

    def build(name: str = "run", **kw):
        init_run(tmp_path / name, small_config(synth_data, **kw))
        return open_run(tmp_path / name)

    return build


def candidate(name: str) -> str:
    return (CANDIDATES / name).read_text()


@pytest.fixture(scope="session", autouse=True)
def _run_keys(tmp_path_factory):
    """Run keys (integrity.py) live in one temporary folder per session, not in $HOME
    (session-wide, so module-scoped runs and the tests using them share it)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUTOTTS_KEY_DIR", str(tmp_path_factory.mktemp("keys")))
        yield
