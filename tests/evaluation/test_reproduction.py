"""The paper's Table 1, reproduced to its printed precision (REPLAY_PROTOCOL.md §6).

Four stores (one per model, all three datasets, both kinds of released-code
cells) run by default; all twelve run in the slow test, which CI runs too.
"""

from __future__ import annotations

import pytest

from autotts.evaluation.protocol import evaluate
from autotts.evaluation.reference import (
    PAPER_TABLE1,
    RELEASED_CODE,
    TABLE1_METHODS,
    expected,
)

DEFAULT_STORES = ["Qwen3-0.6B/hmmt25", "Qwen3-1.7B/aime24", "Qwen3-4B/aime25", "Qwen3-8B/aime24"]
ALL_STORES = [f"{m}/{d}" for m in ("Qwen3-0.6B", "Qwen3-1.7B", "Qwen3-4B", "Qwen3-8B")
              for d in ("aime24", "aime25", "hmmt25")]


def _check(real_store, env: str) -> None:
    store = real_store(env)
    failures = []
    for method, spec in TABLE1_METHODS.items():
        r = evaluate(store, spec.build(), seeds=100)
        acc, ktok = expected(env, method)
        # printed precision: accuracy to 0.1 points, tokens to 0.1k
        if abs(r.accuracy - acc) > 0.05 + 1e-9 or abs(r.tokens / 1000 - ktok) > 0.05 + 1e-9:
            failures.append(f"{method}: got {r.accuracy:.2f} / {r.tokens / 1000:.2f}k, "
                            f"expected {acc} / {ktok}k")
    assert not failures, f"{env}: " + "; ".join(failures)


@pytest.mark.parametrize("env", DEFAULT_STORES)
def test_table1_default_stores(real_store, env):
    _check(real_store, env)


@pytest.mark.slow
@pytest.mark.parametrize("env", [e for e in ALL_STORES if e not in DEFAULT_STORES])
def test_table1_remaining_stores(real_store, env):
    _check(real_store, env)


def test_reference_table_is_complete():
    assert len(PAPER_TABLE1) == 72
    assert set(RELEASED_CODE) <= set(PAPER_TABLE1)
    assert {m for _, m in PAPER_TABLE1} == set(TABLE1_METHODS)


def test_reference_matches_shared_csv(data_dir):
    """The transcribed paper values equal the shared copy of Table 1, when present."""
    import csv

    path = data_dir.parent / "reference" / "table1.csv"
    if not path.exists():
        pytest.skip("no shared reference table next to the data")
    for row in csv.DictReader(path.open()):
        for ds in ("aime24", "aime25", "hmmt25"):
            key = (f"{row['model']}/{ds}", row["method"])
            assert PAPER_TABLE1[key] == (float(row[f"{ds}_acc"]), float(row[f"{ds}_ktokens"]))
