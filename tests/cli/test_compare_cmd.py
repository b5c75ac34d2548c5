"""``autotts compare``: spec parsing, per-question tokens, and a smoke run on
one real store."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from autotts.cli.compare_cmd import compare_command, parse_spec
from autotts.cli.main import cli
from autotts.controllers import make
from autotts.evaluation.protocol import evaluate
from autotts.evaluation.runner import Cell, run_cell


def test_parse_spec():
    spec = parse_spec("cmc:beta=0.5")
    assert (spec.id, spec.params) == ("cmc", {"beta": 0.5})
    spec = parse_spec("st-bon:n=16,tau=2")
    assert spec.params == {"n": 16, "tau": 2} and isinstance(spec.params["n"], int)
    assert parse_spec("asc").params == {}
    for bad in ("nope", "sc:m=3", "sc:n", "sc:n=0"):
        with pytest.raises(click.BadParameter):
            parse_spec(bad)


def test_every_option_has_help():
    for param in compare_command.params:
        if isinstance(param, click.Option):
            assert param.help, param.name


def test_per_question_tokens_follow_the_protocol_loop(tmp_path):
    # The per-question tokens compare uses. SC over every branch costs the sum of a
    # question's branch lengths, whatever the seed; the two questions differ, so a mixed-up
    # order shows.
    qs = [{"question": f"q{i}", "gold_answer": "1", "probe_freq": 500,
           "each_branch": [[["1"], t, "1"] for t in lengths]}
          for i, lengths in enumerate(([600, 700], [3000, 4000, 5000]))]
    path = tmp_path / "Tiny" / "t.json"
    path.parent.mkdir()
    path.write_text(json.dumps(qs))
    run = run_cell(Cell("Tiny/t", str(path), parse_spec("sc:n=8")), 3)
    assert run.question_tokens == [1300.0, 12000.0]
    assert run.tokens == pytest.approx(sum(run.question_tokens) / 2)


def test_smoke_on_a_real_store(data_dir, real_store):
    args = ["compare", "cmc:beta=0.5", "sc:n=8", "--env", "Qwen3-1.7B/aime25",
            "--data", str(data_dir), "--seeds", "3", "--bootstrap", "500", "--workers", "1"]
    res = CliRunner().invoke(cli, args + ["--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    (block,) = report["per_store"]
    store = real_store("Qwen3-1.7B/aime25")
    a = evaluate(store, make("cmc", beta=0.5), seeds=3)
    b = evaluate(store, make("sc", n=8), seeds=3)
    assert block["a"]["accuracy"]["estimate"] == pytest.approx(a.accuracy)
    assert block["b"]["tokens"]["estimate"] == pytest.approx(b.tokens)
    assert block["difference"]["estimate"] == pytest.approx(a.accuracy - b.accuracy)
    assert block["token_ratio"]["estimate"] == pytest.approx(a.tokens / b.tokens)
    assert report["overall"]["difference"] == block["difference"]  # one store: same numbers
    lo, hi = block["a"]["accuracy"]["lo"], block["a"]["accuracy"]["hi"]
    assert lo <= a.accuracy <= hi
    table = CliRunner().invoke(cli, args)
    assert table.exit_code == 0, table.output
    assert "Qwen3-1.7B/aime25" in table.output and "overall" in table.output


def test_bad_spec_and_unknown_store_are_usage_errors(tmp_path):
    res = CliRunner().invoke(cli, ["compare", "sc:n=8", "nosuch", "--data", str(tmp_path)])
    assert res.exit_code == 2 and "nosuch" in res.output
    res = CliRunner().invoke(cli, ["compare", "sc", "asc", "--env", "X/y", "--data", str(tmp_path)])
    assert res.exit_code == 2 and "X/y" in res.output
