"""Screening gives the numbers the protocol gives for the same design."""

from __future__ import annotations

import random

import pytest

from autotts.discovery.proposers.search.codegen import render
from autotts.discovery.proposers.search.designs import random_genome, seed_genome
from autotts.discovery.proposers.search.screen import Screener
from autotts.evaluation.protocol import evaluate

from .conftest import load_controller_class


def test_screened_curves_equal_the_protocols(synthetic_store):
    genomes = [seed_genome("cmc"), random_genome(random.Random(5))]
    screener = Screener({"Synthetic/toy": synthetic_store.path}, (0.0, 1.0), workers=2)
    try:
        curves = screener.curves(genomes, [0, 1, 2])
    finally:
        screener.close()
    for g, c in zip(genomes, curves):
        cls = load_controller_class(render(g))
        for point in c["Synthetic/toy"]:
            ref = evaluate(synthetic_store, cls(beta=point["beta"]), seeds=3)
            # the same episodes; only the order of the averaging differs
            assert point["accuracy"] == pytest.approx(ref.accuracy, rel=1e-12)
            assert point["tokens"] == pytest.approx(ref.tokens, rel=1e-12)
            # per question, what the verdict and the "envelope" fitness read
            assert point["q_rate"] == ref.question_correct_rate
            assert point["q_tokens"] == pytest.approx(ref.question_tokens, rel=1e-12)


def test_screened_curves_count_the_branches_opened(synthetic_store):
    from autotts.env.episode import Episode
    from autotts.evaluation.protocol import shuffled_order

    genome = random_genome(random.Random(5))
    screener = Screener({"Synthetic/toy": synthetic_store.path}, (0.0, 1.0), workers=1)
    try:
        (curves,) = screener.curves([genome], [0, 1])
    finally:
        screener.close()
    cls = load_controller_class(render(genome))
    for point in curves["Synthetic/toy"]:
        opened = []
        for seed in (0, 1):
            for q in synthetic_store.questions:
                ep = Episode(q, shuffled_order(seed, q.n_branches))
                cls(beta=point["beta"]).solve(ep)
                opened.append(ep.n_opened)
        assert point["opened"] == pytest.approx(sum(opened) / len(opened), rel=1e-12)
