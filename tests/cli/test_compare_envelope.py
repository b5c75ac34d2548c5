"""``autotts compare --envelope`` on a real store: the gap to the best-baseline
envelope, per store and overall, with a paired bootstrap interval."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from autotts.cli.main import cli


def test_envelope_gap_on_a_real_store(data_dir):
    args = ["compare", "sc:n=64", "short-m@k:k=3,m=1", "--env", "Qwen3-1.7B/aime25",
            "--data", str(data_dir), "--seeds", "2", "--bootstrap", "300", "--workers", "1",
            "--envelope"]
    res = CliRunner().invoke(cli, args + ["--json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    (block,) = report["per_store"]
    sc = block["envelope"]["a"]
    # SC@64 is itself a point of the envelope, so it can only be at or below it
    assert sc["estimate"] <= 1e-9 and sc["hi"] <= 1e-9
    assert sc["accuracy"] == pytest.approx(block["a"]["accuracy"]["estimate"])
    assert sc["estimate"] == pytest.approx(sc["accuracy"] - sc["envelope"])
    assert sc["source"] in {"SC", "ASC", "ESC", "Parallel-Probe", "CMC", "short-m@k"}
    # The same resampling as `autotts verdict`: problems, shared by a dataset's stores.
    assert sc["resampled"].startswith("problems: one draw per dataset")
    assert report["overall"]["envelope"]["a"]["estimate"] == pytest.approx(sc["estimate"])
    table = CliRunner().invoke(cli, args)
    assert table.exit_code == 0, table.output
    assert "A-env" in table.output and "B-env" in table.output
