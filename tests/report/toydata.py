"""A toy replay data directory for sweep, report and CLI tests (no real data needed)."""

from __future__ import annotations

import json
import random
from pathlib import Path


def write_toy_store(root: Path, name: str = "Toy/set", n_questions: int = 4, n_branches: int = 12,
                    seed: int = 0) -> Path:
    """A small valid store under ``root``: answers drawn from a few labels, the
    gold the most likely one, so more branches help."""
    rng = random.Random(seed)
    questions = []
    for qi in range(n_questions):
        branches = []
        for _ in range(n_branches):
            tokens = rng.randint(800, 4000)
            probes = [rng.choice("1123") for _ in range(-(-tokens // 500))]
            branches.append([probes, tokens, probes[-1]])
        questions.append({"question": f"q{qi}", "gold_answer": "1", "probe_freq": 500,
                          "final_answers_trace": [b[2] for b in branches],
                          "each_branch": branches})
    path = root / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(questions))
    return path


def toy_data_dir(root: Path) -> Path:
    """Two toy stores, Toy/set and Toy/other, under ``root``; returns ``root``."""
    write_toy_store(root, "Toy/set", seed=1)
    write_toy_store(root, "Toy/other", seed=2)
    return root


def synthetic_rows(stores: list[str], seed: int = 0) -> list[dict]:
    """Sweep-like rows for every curve point of the reproduce sweep on ``stores``,
    with made-up numbers (not evaluated), for testing tables and reports."""
    from autotts.evaluation.sweep import cell_key
    from autotts.report.curves import FAMILIES

    rng = random.Random(seed)
    rows = []
    for store in stores:
        for fam in FAMILIES:
            for value in fam.values:
                rates = [rng.random() for _ in range(30)]
                acc = 100 * sum(rates) / len(rates)
                params = {**fam.params, fam.knob: value}
                rows.append({
                    "env": store, "controller": fam.label, "controller_source": fam.controller_id,
                    "params": params, "accuracy": acc, "tokens": rng.uniform(1e4, 1.3e6),
                    "accuracy_std": rng.uniform(0, 3), "tokens_std": rng.uniform(0, 1e4),
                    "ci95_low": acc - rng.uniform(5, 15), "ci95_high": acc + rng.uniform(5, 15),
                    "ci_method": "made up", "seeds": 100,
                    "key": cell_key(store, fam.label, fam.controller_id, params, range(100)),
                    "question_correct_rate": rates})
    return rows
