"""Acceptance round trip on a real tiny model built inside the test (random
weights, word-level tokenizer, no download): ``autotts collect`` -> the store
validates -> every registered controller is evaluated on it -> ``autotts run
--controller cmc --set beta=0.5`` answers a question live."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from autotts.cli.main import cli
from autotts.controllers import available, make
from autotts.env.store import load_store
from autotts.evaluation.protocol import evaluate

pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("math_verify")

DECODE = ["--delta", "8", "--max-tokens", "40", "--temperature", "1.0", "--probe-suffix",
          "Final Answer : \\boxed{", "--probe-tokens", "4", "--threads", "1"]


def collect_args(tiny_model, questions_file, out, branches=4):
    return ["collect", str(out), "--questions", str(questions_file), "--hf-model", str(tiny_model),
            "-n", str(branches), "--concurrency", "4", "--no-progress", *DECODE]


def test_collect_then_eval_every_controller_then_run_live(tiny_model, questions_file, tmp_path):
    out = tmp_path / "tiny" / "arith.json.gz"
    result = CliRunner().invoke(cli, collect_args(tiny_model, questions_file, out))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"] == summary["new_rows"] == 12

    store = load_store(out)
    assert [q.gold for q in store.questions] == ["1", "3", "5"]
    assert all(q.n_branches == 4 and q.delta == 8 for q in store.questions)
    rows = [json.loads(x) for x in (tmp_path / "tiny" / "arith.raw.jsonl").read_text().splitlines()]
    for q in store.questions:  # probes: one per full interval before the branch stopped
        assert q.n_probes.tolist() == [-(-int(t) // 8) - 1 for t in q.tokens]
    assert all(r["n_tokens"] == r["interval_ends"][-1] <= 40 for r in rows)
    manifest = json.loads((tmp_path / "tiny" / "arith.manifest.json").read_text())
    assert (manifest["delta"], manifest["probe_tokens"], manifest["template"]) == (8, 4, "chat")
    assert manifest["model"] == str(tiny_model) and manifest["sampling"]["temperature"] == 1.0

    for cid in available():
        res = evaluate(store, make(cid), seeds=3)
        assert 0 <= res.accuracy <= 100 and res.tokens > 0, cid
    ev = CliRunner().invoke(cli, ["eval", "--data", str(tmp_path), "--env", "tiny/arith",
                                  "--controller", "cmc", "--set", "beta=0.5", "--seeds", "3",
                                  "--workers", "1", "--json"])
    assert ev.exit_code == 0, ev.output
    assert json.loads(ev.stdout.splitlines()[-1])["env"] == "tiny/arith"

    run = CliRunner().invoke(cli, ["run", "--controller", "cmc", "--set", "beta=0.5",
                                   "--question", "what is 2 plus 2", "--hf-model", str(tiny_model),
                                   "--max-branches", "8", "--trace", "--json", *DECODE])
    assert run.exit_code == 0, run.output
    row = json.loads(run.stdout)
    assert isinstance(row["answer"], str) and row["answer"]
    assert 0 < row["tokens"] <= 8 * 40 and 1 <= row["branches"] <= 8
    assert row["events"][0][0] == "open"


def test_run_prints_answer_tokens_and_wall_time(tiny_model):
    run = CliRunner().invoke(cli, ["run", "--controller", "sc", "--set", "n=3", "--question",
                                   "what is 1 plus 1", "--hf-model", str(tiny_model), *DECODE])
    assert run.exit_code == 0, run.output
    assert "answer:" in run.output and "tokens:" in run.output and "wall:" in run.output


def test_collect_reports_a_bad_questions_file(tiny_model, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "what is 1 plus 1"}\n')
    result = CliRunner().invoke(cli, collect_args(tiny_model, bad, tmp_path / "x.json"))
    assert result.exit_code != 0
    assert "line 1: missing field 'answer'" in result.output and str(bad) in result.output
