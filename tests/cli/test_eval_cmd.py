"""Smoke tests of `autotts eval` and `autotts controllers`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from autotts.cli.main import cli
from tests.env.test_legacy import LEGACY_SOURCE


def _run(args, data_dir=None):
    env = {"AUTOTTS_DATA": str(data_dir)} if data_dir else {}
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def test_eval_json_rows_sweep_the_grid(data_dir):
    res = _run(["eval", "--env", "Qwen3-8B/aime24", "--env", "Qwen3-4B/aime24", "--controller",
                "cmc", "--set", "beta=0,1", "--seeds", "2", "--json", "--workers", "1"], data_dir)
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert [(r["env"], r["params"]["beta"]) for r in rows] == [
        ("Qwen3-8B/aime24", 0), ("Qwen3-8B/aime24", 1), ("Qwen3-4B/aime24", 0),
        ("Qwen3-4B/aime24", 1)]
    for r in rows:
        assert {"env", "controller", "params", "accuracy", "tokens", "seeds"} <= set(r)
        assert r["controller"] == "cmc" and r["seeds"] == 2
    assert rows[1]["tokens"] > rows[0]["tokens"]  # beta buys tokens


def test_eval_table_and_traces(data_dir, tmp_path):
    traces = tmp_path / "t.jsonl"
    res = _run(["eval", "--env", "Qwen3-8B/aime24", "--controller", "asc", "--seeds", "1",
                "--traces", str(traces)], data_dir)
    assert res.exit_code == 0, res.output
    assert "Qwen3-8B/aime24" in res.output and "asc" in res.output
    rows = [json.loads(line) for line in traces.read_text().splitlines()]
    assert len(rows) == 30
    assert rows[0]["events"][0][0] == "read" and rows[0]["events"][-1][0] == "note"


def test_eval_controller_file_in_authors_api(data_dir, tmp_path):
    path = tmp_path / "method.py"
    path.write_text(LEGACY_SOURCE)
    res = _run(["eval", "--env", "Qwen3-8B/aime24", "--controller-file",
                f"{path}:OptimalController", "--set", "width=3", "--seeds", "1", "--json"],
               data_dir)
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["params"] == {"width": 3}


def test_eval_errors_are_one_line(data_dir):
    for args, needle in [
        (["eval", "--env", "Nope/x", "--controller", "sc"], "no store named"),
        (["eval", "--controller", "nope"], "unknown controller"),
        (["eval", "--controller", "sc", "--set", "m=3"], "no parameter"),
        (["eval", "--controller", "sc", "--set", "n"], "expected KEY=V1,V2"),
        (["eval"], "exactly one of"),
    ]:
        res = CliRunner().invoke(cli, args, env={"AUTOTTS_DATA": str(data_dir)})
        assert res.exit_code != 0 and needle in res.output, (args, res.output)
        assert "Traceback" not in res.output


def test_controllers_lists_registry():
    res = _run(["controllers"])
    assert res.exit_code == 0
    for cid in ("sc", "asc", "esc", "parallel-probe", "cmc"):
        assert cid in res.output
    assert "num_chains=64" in res.output


def test_every_command_has_help():
    for cmd in (["--help"], ["eval", "--help"], ["controllers", "--help"]):
        res = _run(cmd)
        assert res.exit_code == 0 and "Usage" in res.output
