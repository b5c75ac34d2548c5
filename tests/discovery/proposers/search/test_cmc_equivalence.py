"""The seeded CMC-like genome, generated as source, is the paper's CMC to
the digit, so the search can only improve on CMC under its own scoring."""

from __future__ import annotations

import pytest

from autotts.controllers.registry import make
from autotts.discovery.proposers.search.codegen import render
from autotts.discovery.proposers.search.designs import seed_genome
from autotts.evaluation.protocol import evaluate

from .conftest import load_controller_class


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.5, 1.0])
def test_generated_cmc_like_candidate_equals_cmc(real_store, beta):
    store = real_store("Qwen3-1.7B/aime24")
    generated = load_controller_class(render(seed_genome("cmc")))(beta=beta)
    ours = evaluate(store, generated, seeds=10)
    theirs = evaluate(store, make("cmc", beta=beta), seeds=10)
    assert ours.seed_accuracy == theirs.seed_accuracy
    assert ours.seed_tokens == theirs.seed_tokens
    assert ours.question_correct_rate == theirs.question_correct_rate


def test_generated_cmc_like_candidate_equals_cmc_on_every_search_store(real_store):
    for model in ("Qwen3-0.6B", "Qwen3-4B", "Qwen3-8B"):
        store = real_store(f"{model}/aime24")
        for beta in (0.2, 0.7):
            generated = load_controller_class(render(seed_genome("cmc")))(beta=beta)
            ours = evaluate(store, generated, seeds=3)
            theirs = evaluate(store, make("cmc", beta=beta), seeds=3)
            assert ours.seed_accuracy == theirs.seed_accuracy
            assert ours.seed_tokens == theirs.seed_tokens
