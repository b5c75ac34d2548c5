"""Sweep files and the resumable sweep runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autotts.evaluation.results_io import Journal, read_results_csv
from autotts.evaluation.sweep import cell_key, run_sweep
from autotts.evaluation.sweep_spec import (
    SweepSpecError,
    load_sweep,
    parse_sweep,
    to_toml,
)
from tests.report.toydata import toy_data_dir

TOY_SWEEP = """
seeds = 2
stores = ["Toy/set", "Toy/other"]

[[controller]]
id = "sc"
label = "SC"
[controller.grid]
n = [1, 4, 12]

[[controller]]
id = "cmc"
[controller.grid]
beta = [0.0, 1.0]
"""


@pytest.fixture
def data(tmp_path) -> Path:
    return toy_data_dir(tmp_path / "data")


def _journal_lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def test_parse_grid_labels_and_seeds():
    spec = parse_sweep(TOY_SWEEP, source="toy.toml")
    assert spec.seeds == (0, 1)
    assert spec.stores == ("Toy/set", "Toy/other")
    assert [e.label for e in spec.controllers] == ["SC", "cmc"]  # label defaults to the id
    assert [s.params for s in spec.controllers[0].specs] == [{"n": 1}, {"n": 4}, {"n": 12}]
    assert spec.n_settings == 5


def test_grid_is_cartesian_with_fixed_params():
    spec = parse_sweep('stores = ["x"]\n[[controller]]\nid = "asc"\nparams = { threshold = 0.9 }\n'
                       '[controller.grid]\nmax_samples = [2, 4]\n', source="s.toml")
    assert [s.params for s in spec.controllers[0].specs] == [
        {"threshold": 0.9, "max_samples": 2}, {"threshold": 0.9, "max_samples": 4}]
    spec = parse_sweep('stores = ["x"]\n[[controller]]\nid = "st-bon"\n[controller.grid]\n'
                       'n = [2, 4]\ntau = [1, 2, 3]\n', source="s.toml")
    assert len(spec.controllers[0].specs) == 6


@pytest.mark.parametrize("text, where", [
    ("seeds = 0\nstores=['a']\n[[controller]]\nid='sc'\n", "seeds"),
    ("seeds = [1, 1]\nstores=['a']\n[[controller]]\nid='sc'\n", "seeds"),
    ("stores = []\n[[controller]]\nid='sc'\n", "stores"),
    ("[[controller]]\nid='sc'\n", "stores"),
    ("stores=['a']\n", "controller"),
    ("stores=['a']\nsede=3\n[[controller]]\nid='sc'\n", "sede"),
    ("stores=['a']\n[[controller]]\nid='sc'\nfile='x.py'\n", "controller[0]"),
    ("stores=['a']\n[[controller]]\nid='sc'\nbogus=1\n", "controller[0].bogus"),
    ("stores=['a']\n[[controller]]\nid='sc'\n[controller.grid]\nn = 4\n", "controller[0].grid.n"),
    ("stores=['a']\n[[controller]]\nid='sc'\nparams={n=4}\n[controller.grid]\nn=[1]\n",
     "controller[0].grid.n"),
    ("stores=['a']\n[[controller]]\nid='nope'\n", "controller[0]"),
    ("stores=['a']\n[[controller]]\nid='sc'\n[controller.grid]\nwidth=[1]\n", "controller[0]"),
    ("stores=['a']\n[[controller]]\nid='sc'\n[[controller]]\nid='sc'\n", "controller"),
    ("stores = ['a'\n", "invalid TOML"),
])
def test_bad_sweep_files_name_file_and_key(tmp_path, text, where):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SweepSpecError) as err:
        load_sweep(path)
    assert str(path) in str(err.value)
    assert where in str(err.value)


def test_missing_sweep_file(tmp_path):
    with pytest.raises(SweepSpecError, match="cannot read"):
        load_sweep(tmp_path / "none.toml")


def test_controller_file_resolved_relative_to_sweep(tmp_path):
    (tmp_path / "mine.py").write_text(
        "from autotts.controllers.base import Controller\n"
        "class First(Controller):\n    def solve(self, ep):\n        return ep.read_full()\n")
    (tmp_path / "s.toml").write_text('stores=["a"]\n[[controller]]\nfile="mine.py:First"\n')
    spec = load_sweep(tmp_path / "s.toml")
    entry = spec.controllers[0]
    assert entry.label == "First" and entry.source == "mine.py:First"
    assert entry.specs[0].file == f"{tmp_path / 'mine.py'}:First"


def test_to_toml_round_trips():
    text = to_toml(3, ["search", "Qwen3-8B/aime25"], [
        {"id": "asc", "label": "ASC", "params": {"threshold": 0.95},
         "grid": {"max_samples": [1, 64]}},
        {"id": "cmc", "label": "CMC", "grid": {"beta": [0.0, 0.3, 1.0]}}])
    spec = parse_sweep(text, validate=True)
    assert spec.seeds == (0, 1, 2)
    assert [s.params for s in spec.controllers[1].specs] == [{"beta": 0.0}, {"beta": 0.3},
                                                             {"beta": 1.0}]
    assert spec.controllers[0].specs[1].params == {"threshold": 0.95, "max_samples": 64}


def test_sweep_writes_rows_csv_and_manifest(tmp_path, data):
    spec = parse_sweep(TOY_SWEEP, source="toy.toml")
    out = tmp_path / "out"
    outcome = run_sweep(spec, out, data=data)
    assert outcome.ran == 10 and outcome.skipped == 0
    csv_rows = read_results_csv(out / "results.csv")
    assert [(r["env"], r["controller"], r["params"]) for r in csv_rows] == \
        [(r["env"], r["controller"], r["params"]) for r in outcome.rows]
    for row, back in zip(outcome.rows, csv_rows):
        assert back["accuracy"] == pytest.approx(row["accuracy"])
        assert back["ci95_low"] <= row["accuracy"] <= back["ci95_high"]
        assert back["seeds"] == 2
        assert len(row["seed_accuracy"]) == 2 and len(row["question_correct_rate"]) == 4
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["seeds"] == {"count": 2, "range": "0..1"}
    assert set(manifest["data"]) == {"Toy/set", "Toy/other"}
    assert all(len(d["sha256"]) == 64 for d in manifest["data"].values())
    assert manifest["sweep"] == TOY_SWEEP and manifest["sweep_file"] == "toy.toml"


def test_killed_sweep_resumes_without_duplicates(tmp_path, data):
    spec = parse_sweep(TOY_SWEEP, source="toy.toml")
    whole = run_sweep(spec, tmp_path / "whole", data=data).rows

    out = tmp_path / "killed"
    seen = []

    def kill_after_half(cell, row):
        seen.append(row["key"])
        if len(seen) == 5:
            raise KeyboardInterrupt  # what Ctrl-C (or a kill between cells) leaves behind

    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out, data=data, on_cell=kill_after_half)
    assert len(_journal_lines(out)) == 5
    assert len(read_results_csv(out / "results.csv")) == 5  # the CSV follows the journal
    assert json.loads((out / "manifest.json").read_text())["status"] == "running"

    # A kill in the middle of a write leaves a torn line; it must be ignored.
    with open(out / "results.jsonl", "a") as fh:
        fh.write('{"env": "Toy/set", "contr')
    resumed = run_sweep(spec, out, data=data)
    assert resumed.ran == 5 and resumed.skipped == 5
    lines = _journal_lines(out)
    assert len(lines) == 10 and len({r["key"] for r in lines}) == 10
    assert resumed.rows == whole
    again = run_sweep(spec, out, data=data)
    assert again.ran == 0 and again.rows == whole


def test_changed_seeds_or_label_are_new_cells(tmp_path, data):
    out = tmp_path / "out"
    run_sweep(parse_sweep(TOY_SWEEP), out, data=data)
    more = parse_sweep(TOY_SWEEP.replace("seeds = 2", "seeds = 3"))
    assert run_sweep(more, out, data=data).ran == 10
    # Rows of the earlier sweep stay in the files, after this sweep's rows.
    rows = read_results_csv(out / "results.csv")
    assert [r["seeds"] for r in rows] == [3] * 10 + [2] * 10
    assert cell_key("a", "SC", "sc", {"n": 1}, range(3)) != cell_key("a", "SC2", "sc", {"n": 1},
                                                                      range(3))


def test_traces_written_per_cell_and_requested_later(tmp_path, data):
    spec = parse_sweep(TOY_SWEEP)
    out = tmp_path / "out"
    run_sweep(spec, out, data=data)
    # Asking for traces afterwards reruns the cells that have none.
    outcome = run_sweep(spec, out, data=data, traces=True)
    assert outcome.ran == 10
    for row in outcome.rows:
        lines = (out / row["traces"]).read_text().splitlines()
        assert len(lines) == 2 * 4  # seeds x questions
        first = json.loads(lines[0])
        assert first["env"] == row["env"] and first["params"] == row["params"]
    assert run_sweep(spec, out, data=data, traces=True).ran == 0


def test_parallel_workers_give_the_same_rows(tmp_path, data):
    spec = parse_sweep(TOY_SWEEP)
    one = run_sweep(spec, tmp_path / "one", data=data, workers=1).rows
    two = run_sweep(spec, tmp_path / "two", data=data, workers=2).rows
    assert one == two


def test_journal_appends_are_complete_lines(tmp_path):
    j = Journal(tmp_path / "r.jsonl")
    (tmp_path / "r.jsonl").write_text('{"key": "a", "x": 1}\n{"key": "b", "x"')
    j.append({"key": "c", "x": 3})
    assert set(j.load()) == {"a", "c"}
    # The new row starts on its own line, not glued to the torn one.
    assert json.loads((tmp_path / "r.jsonl").read_text().splitlines()[-1]) == {"key": "c", "x": 3}


def test_small_real_sweep_resumes(tmp_path):
    """Two seeds on one real store; half the cells, then the rest."""
    import os

    root = os.environ.get("AUTOTTS_DATA")
    if not root or not Path(root).is_dir():
        pytest.skip("AUTOTTS_DATA is not set to the replay store directory")
    text = ('seeds = 2\nstores = ["Qwen3-1.7B/aime25"]\n[[controller]]\nid = "sc"\n'
            '[controller.grid]\nn = [1, 8, 64]\n[[controller]]\nid = "cmc"\n'
            '[controller.grid]\nbeta = [0.5]\n')
    half = text.replace("n = [1, 8, 64]", "n = [1, 8]")
    run_sweep(parse_sweep(half), tmp_path, data=root)
    outcome = run_sweep(parse_sweep(text), tmp_path, data=root)
    assert (outcome.ran, outcome.skipped) == (1, 3)
    assert [r["params"] for r in outcome.rows] == [{"n": 1}, {"n": 8}, {"n": 64}, {"beta": 0.5}]
    assert len(_journal_lines(tmp_path)) == 4


@pytest.mark.parametrize("path", sorted(Path(__file__).parents[2].glob("examples/*.toml")),
                         ids=lambda p: p.name)
def test_example_sweep_files_are_valid(path):
    spec = load_sweep(path)
    assert spec.n_settings >= 1 and spec.stores
