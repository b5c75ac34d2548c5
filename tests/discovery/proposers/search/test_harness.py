"""The stand-alone harness drives propose (with real screening) -> file ->
evaluate end to end."""

from __future__ import annotations

import json
import math

from tests.discovery.proposers.search.harness_module import run_search, store_file

from .conftest import synthetic_questions

SMALL = {"population": 5, "per_round": 6, "batch": 3, "promote": 1, "promote_seeds": 3,
         "token_lo": 1_000, "token_hi": 20_000}


def test_two_rounds_on_a_synthetic_store(tmp_path):
    data = tmp_path / "data"
    (data / "Synthetic").mkdir(parents=True)
    (data / "Synthetic" / "toy.json").write_text(json.dumps(synthetic_questions(2, 70)))
    assert store_file(data, "Synthetic/toy").endswith("toy.json")
    logged = []
    hist = run_search(tmp_path / "run", data, rounds=2, seeds=2, seed=0, workers=1,
                      betas=(0.0, 1.0), stores=("Synthetic/toy",), log=logged.append,
                      settings=SMALL)
    screened = [d for r in hist for d in r.meta["search"]["screened"]]
    assert len(screened) == 2 * SMALL["per_round"]
    assert hist[0].meta["genome"] != hist[1].meta["genome"]
    for r in hist:
        points = r.curves["Synthetic/toy"]
        assert [p["beta"] for p in points] == [0.0, 1.0]
        assert all(0 <= p["accuracy"] <= 100 and p["tokens"] > 0 for p in points)
    assert (tmp_path / "run" / "round002.py").read_text() == hist[1].source
    assert len(logged) == 2


def test_the_envelope_objective_runs_in_the_harness_against_its_own_baselines(tmp_path):
    data = tmp_path / "data"
    (data / "Synthetic").mkdir(parents=True)
    (data / "Synthetic" / "toy.json").write_text(json.dumps(synthetic_questions(3, 70)))
    hist = run_search(tmp_path / "run", data, rounds=2, seeds=2, seed=0, workers=1,
                      betas=(0.0, 1.0), stores=("Synthetic/toy",), log=lambda _: None,
                      settings={**SMALL, "objective": "envelope"})
    assert len(hist) == 2
    for r in hist:
        assert all(p["q_rate"] and p["q_tokens"] for p in r.curves["Synthetic/toy"])
    ok = [r for r in hist if r.status == "ok"]
    assert ok and all(math.isfinite(r.score["fitness"]) for r in ok)
