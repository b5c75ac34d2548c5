"""Kill ``autotts collect`` mid-run (SIGKILL) and rerun it: the rerun keeps the
rows already written, adds each missing row once, and the store equals an
uninterrupted run's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from autotts.live.backend import Sampling
from autotts.live.collect import CollectPlan, run_collect
from autotts.live.decode import DecodeConfig
from autotts.live.questions import load_jsonl

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("math_verify")

BRANCHES = 6
ARGS = ["--delta", "8", "--max-tokens", "64", "--temperature", "1.0", "--probe-suffix",
        "Final Answer : \\boxed{", "--probe-tokens", "4", "--seed", "11", "--threads", "1"]


def _rows(path):
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_kill_then_rerun_neither_repeats_nor_loses_rows(tiny_model, questions_file, tmp_path):
    out = tmp_path / "run" / "s.json"
    raw = tmp_path / "run" / "s.raw.jsonl"
    cmd = [sys.executable, "-m", "autotts.cli.main", "collect", str(out), "--questions",
           str(questions_file), "--hf-model", str(tiny_model), "-n", str(BRANCHES),
           "--concurrency", "1", "--no-progress", *ARGS]
    total = 3 * BRANCHES
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(_rows(raw)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    before = raw.read_text().splitlines(keepends=True) if raw.exists() else []
    complete = [line for line in before if line.endswith("\n")]
    assert 2 <= len(complete) < total, "the kill should land mid-run"
    assert not out.exists()  # the store is only written once every row is in

    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    summary = json.loads(rerun.stdout)
    assert summary["new_rows"] == total - len(complete)
    after = raw.read_text().splitlines(keepends=True)
    assert after[:len(complete)] == complete  # earlier rows kept byte for byte
    keys = [(r["qid"], r["branch"]) for r in _rows(raw)]
    assert len(keys) == len(set(keys)) == total

    twin = CollectPlan(tmp_path / "once" / "s.json", BRANCHES,
                       DecodeConfig(delta=8, max_tokens=64, sampling=Sampling(1.0),
                                    probe_suffix="Final Answer : \\boxed{", probe_tokens=4,
                                    seed=11), concurrency=3)
    from autotts.live.hf_backend import HFBackend

    run_collect(HFBackend(str(tiny_model), threads=1), load_jsonl(questions_file), twin,
                source="q", progress=False)
    assert json.loads(out.read_text()) == json.loads(twin.out.read_text())


def test_rerun_with_other_settings_is_refused(tiny_model, questions_file, tmp_path):
    from click.testing import CliRunner

    from autotts.cli.main import cli

    base = ["collect", str(tmp_path / "s.json"), "--questions", str(questions_file),
            "--hf-model", str(tiny_model), "-n", "1", "--no-progress", *ARGS]
    assert CliRunner().invoke(cli, base).exit_code == 0
    again = CliRunner().invoke(cli, [*base, "--delta", "16"])
    assert again.exit_code != 0
    assert "delta: 8 then, 16 now" in again.output
