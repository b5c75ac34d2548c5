"""`autotts eval --controller-file` on a generated design: the compiled kernel's
rows equal the readable file's (AUTOTTS_NO_FAST=1); an edited file runs as written."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from autotts.cli import eval_cmd
from autotts.cli.main import cli
from autotts.discovery.proposers.search import compiled, designs
from autotts.discovery.proposers.search.codegen import render

pytestmark = pytest.mark.skipif(not compiled.available(), reason="needs numba")


def _eval(path, data_dir, fast: bool):
    env = {"AUTOTTS_DATA": str(data_dir), "AUTOTTS_NO_FAST": "" if fast else "1"}
    args = ["eval", "--env", "Qwen3-1.7B/aime24", "--env", "Qwen3-8B/hmmt25",
            "--controller-file", str(path), "--set", "beta=0,0.35,1", "--seeds", "3", "--json",
            "--workers", "1"]
    res = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def test_generated_file_rows_are_the_readable_rows(data_dir, tmp_path, monkeypatch):
    path = tmp_path / "candidate.py"
    path.write_text(render(designs.SEEDS["cmc"], origin="Round 1: a test."))
    used = []
    real = eval_cmd._generated_design
    monkeypatch.setattr(eval_cmd, "_generated_design",
                        lambda *a: used.append(r := real(*a)) or r)
    fast = _eval(path, data_dir, fast=True)
    assert used and used[0] is not None  # the kernel answered
    assert fast == _eval(path, data_dir, fast=False)
    path.write_text(path.read_text().replace("MAX_STEPS = 500", "MAX_STEPS = 3"))
    used.clear()
    _eval(path, data_dir, fast=True)
    assert used == [None]  # edited: run as written
