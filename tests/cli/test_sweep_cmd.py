"""``autotts sweep``: runs a sweep file, resumes, and reports bad files cleanly."""

from __future__ import annotations

import json

from click.testing import CliRunner

from autotts.cli.main import cli
from autotts.evaluation.results_io import read_results_csv
from tests.report.toydata import toy_data_dir

SWEEP = """
seeds = 2
stores = ["Toy/set"]

[[controller]]
id = "sc"
label = "SC"
[controller.grid]
n = [1, 4]

[[controller]]
id = "cmc"
[controller.grid]
beta = [0.5]
"""


def _invoke(*args):
    return CliRunner().invoke(cli, ["sweep", *map(str, args)])


def test_sweep_runs_then_resumes(tmp_path):
    data = toy_data_dir(tmp_path / "data")
    sweep = tmp_path / "s.toml"
    sweep.write_text(SWEEP)
    out = tmp_path / "out"
    first = _invoke(sweep, "--out", out, "--data", data, "--workers", 1, "--traces")
    assert first.exit_code == 0, first.output
    assert "3 run now, 0 already done" in first.output
    rows = read_results_csv(out / "results.csv")
    assert [(r["controller"], r["params"]) for r in rows] == [
        ("SC", {"n": 1}), ("SC", {"n": 4}), ("cmc", {"beta": 0.5})]
    assert len(list((out / "traces").glob("*.jsonl"))) == 3
    assert json.loads((out / "manifest.json").read_text())["sweep_file"] == str(sweep)
    second = _invoke(sweep, "--out", out, "--data", data, "--workers", 1)
    assert second.exit_code == 0, second.output
    assert "0 run now, 3 already done" in second.output
    assert read_results_csv(out / "results.csv") == rows


def test_bad_sweep_file_is_a_clean_error(tmp_path):
    sweep = tmp_path / "bad.toml"
    sweep.write_text('stores = ["Toy/set"]\n[[controller]]\nid = "sc"\n[controller.grid]\nn = 4\n')
    result = _invoke(sweep, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert str(sweep) in result.output and "controller[0].grid.n" in result.output
    assert "Traceback" not in result.output


def test_unknown_store_is_a_clean_error(tmp_path):
    data = toy_data_dir(tmp_path / "data")
    sweep = tmp_path / "s.toml"
    sweep.write_text(SWEEP.replace("Toy/set", "Toy/nothing"))
    result = _invoke(sweep, "--out", tmp_path / "out", "--data", data)
    assert result.exit_code == 2 and "Toy/nothing" in result.output


def test_help_documents_every_option():
    result = CliRunner().invoke(cli, ["sweep", "--help"])
    assert result.exit_code == 0
    for opt in ("--out", "--workers", "--traces", "--data", "--progress"):
        assert opt in result.output
