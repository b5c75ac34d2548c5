"""Rounds on the published stores (skipped without $AUTOTTS_DATA)."""

from __future__ import annotations

import time

import pytest

from autotts.controllers.spec import ControllerSpec
from autotts.discovery.loop import run_loop
from autotts.discovery.proposers.manual import ManualProposer
from autotts.discovery.run.baselines import compute_baselines
from autotts.discovery.run.config import RunConfig
from autotts.discovery.run.directory import init_run, open_run
from autotts.discovery.sandbox.evaluate import SandboxSettings, evaluate_candidate
from autotts.discovery.sandbox.process import Limits, detect_isolation
from autotts.evaluation.protocol import evaluate
from tests.discovery.conftest import CANDIDATES


def test_sandboxed_grading_equals_in_process_protocol(real_store, data_dir):
    store = real_store("Qwen3-1.7B/aime24")
    sb = SandboxSettings(Limits(cpu_s=300), detect_isolation("auto"), hide=(data_dir,), workers=2)
    source = (CANDIDATES / "momentum.py").read_text()
    res = evaluate_candidate(source, "Momentum", [store], [{"beta": 0.0}, {"beta": 1.0}],
                             [0, 1, 2], sb)
    assert res.error is None
    for cell in res.cells:
        ref = evaluate(store, ControllerSpec(file=f"{CANDIDATES / 'momentum.py'}:Momentum",
                                             params=cell.params).build(), seeds=[0, 1, 2])
        assert cell.seed_accuracy == ref.seed_accuracy
        assert cell.seed_tokens == ref.seed_tokens
        assert cell.question_correct_rate == ref.question_correct_rate


@pytest.mark.slow
def test_cmc_like_round_on_the_default_grid(data_dir, tmp_path):
    """A CMC-like candidate, default grid (11 betas), 100 seeds, the four search stores."""
    cfg = RunConfig(rounds=0, data=str(data_dir), seed_dir=str(tmp_path / "seeds"),
                    baselines=("sc",))
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "momentum.py").write_text((CANDIDATES / "momentum.py").read_text())
    init_run(tmp_path / "run", cfg)
    run = open_run(tmp_path / "run")
    compute_baselines(run, "search")  # before the clock: the round alone is timed
    start = time.monotonic()
    (st,) = run_loop(run, ManualProposer())
    print(f"round wall time {time.monotonic() - start:.1f} s, evaluation {st['eval_wall_s']:.1f} s")
    assert st["status"] == "ok", st.get("error")
    assert len(st["grid"]) == 11 and st["score"]["best_accuracy"] > 0
