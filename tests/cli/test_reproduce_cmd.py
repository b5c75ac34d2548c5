"""``autotts reproduce table1`` on reduced settings (one store, few seeds)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from autotts.cli.main import cli
from autotts.evaluation.reference import TABLE1_METHODS, expected
from tests.report.toydata import toy_data_dir


def _real_data() -> str:
    root = os.environ.get("AUTOTTS_DATA")
    if not root or not Path(root).is_dir():
        pytest.skip("AUTOTTS_DATA is not set to the replay store directory")
    return root


def _table1(out: Path) -> list[dict]:
    with open(out / "table1.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_reproduce_toy_store_with_curves(tmp_path):
    data = toy_data_dir(tmp_path / "data")
    out = tmp_path / "out"
    args = ["reproduce", "table1", "--out", str(out), "--data", str(data), "--seeds", "2",
            "--workers", "1", "--stores", "Toy/set"]
    table_only = CliRunner().invoke(cli, args + ["--no-curves"])
    assert table_only.exit_code == 0, table_only.output
    assert "6 cells (6 evaluated now, 0 reused)" in table_only.output
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    # The Table-1 cells are points of the curves: reused, not evaluated again.
    assert "36 cells (30 evaluated now, 6 reused)" in result.output
    assert "| store | method | accuracy %" in result.output
    for name in ("table1.md", "table1.csv", "report.md", "report.html", "results.csv",
                 "manifest.json", "sweep.toml", "curves_stores.png"):
        assert (out / name).stat().st_size > 0, name
    assert not (out / "curves_held_out.png").exists()  # no held-out store in the run
    assert [r["method"] for r in _table1(out)] == list(TABLE1_METHODS)
    again = CliRunner().invoke(cli, args)
    assert "0 evaluated now" in again.output


def test_reproduce_downloads_when_no_stores(tmp_path, monkeypatch):
    import autotts.data.published as download

    calls = []

    def fake_ensure(root, **kwargs):
        calls.append(Path(root))
        toy_data_dir(Path(root))

    monkeypatch.setattr(download, "ensure_data", fake_ensure)
    empty = tmp_path / "empty"
    result = CliRunner().invoke(cli, ["reproduce", "table1", "--out", str(tmp_path / "o"),
                                      "--data", str(empty), "--seeds", "1", "--workers", "1",
                                      "--no-curves", "--stores", "Toy/other"])
    assert result.exit_code == 0, result.output
    assert calls == [empty]


def test_reproduce_real_store_few_seeds(tmp_path):
    data = _real_data()
    result = CliRunner().invoke(cli, ["reproduce", "table1", "--out", str(tmp_path), "--data",
                                      data, "--seeds", "3", "--workers", "1", "--no-curves",
                                      "--stores", "Qwen3-8B/aime24"])
    assert result.exit_code == 0, result.output
    rows = _table1(tmp_path)
    assert [r["method"] for r in rows] == list(TABLE1_METHODS)
    for r in rows:
        assert (float(r["target_accuracy"]), float(r["target_tokens_k"])) == \
            expected("Qwen3-8B/aime24", r["method"])
    assert not list(tmp_path.glob("*.png"))


@pytest.mark.slow
def test_reproduce_one_store_matches_table1_with_100_seeds(tmp_path):
    from autotts.evaluation.reproduce import run_reproduce

    data = _real_data()
    outcome = run_reproduce(tmp_path, stores=["Qwen3-4B/aime25"], seeds=100, data=data,
                            curves=False, workers=1)
    rows = _table1(tmp_path)
    assert [r["match"] for r in rows] == ["True"] * 6, outcome.markdown
    assert [r["target_source"] for r in rows].count("released code") == 1  # ASC
    assert "6 of 6 cells match" in outcome.markdown
