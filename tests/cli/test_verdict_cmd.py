"""``autotts verdict`` on a finished run kept in the repository (results/search-v2):
a run that kept neither held-out baseline files nor per-question tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from autotts.cli.main import cli
from autotts.cli.verdict_cmd import verdict_lines

RUN = Path(__file__).resolve().parents[2] / "results" / "search-v2" / "blank-s0"


@pytest.mark.skipif(not (RUN / "run.json").is_file(), reason="results/search-v2 not present")
def test_verdict_of_a_kept_run_says_what_it_rests_on(data_dir):
    args = ["verdict", str(RUN), "--data", str(data_dir), "--resamples", "300"]
    res = CliRunner().invoke(cli, args + ["--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert doc["held_out"][0].endswith(("aime25", "hmmt25")) and len(doc["held_out"]) == 8
    # every built-in baseline of the run, CMC and short-m@k included, re-evaluated here
    assert doc["baselines"]["settings"] == {"sc": 7, "asc": 6, "esc": 4, "parallel-probe": 6,
                                            "short-m@k-beta": 11, "cmc": 11}
    assert "re-evaluated now" in doc["baselines"]["source"]
    for pick in doc["picks"].values():
        assert len(pick["levels"]) == 16 and pick["at"] == 331_000
        assert not pick["tokens_resampled"] and "held fixed" in pick["resampled"]
        g = pick["mean_gap"]
        assert g["lo"] <= g["estimate"] <= g["hi"]
        assert g["estimate"] == pytest.approx(sum(pick["gaps"]) / 16)
    # a run finished before selection.json named its primary pick: derived by the rule
    assert doc["primary"] == "fitness"
    text = "\n".join(verdict_lines(doc))  # what the command prints without --json
    assert f"pick by fitness (r{doc['picks']['fitness']['round']}, primary)" in text
    assert "mean gap" in text and "NOTE: this run recorded no per-question tokens" in text


def test_verdict_refuses_an_unfinished_directory(tmp_path):
    res = CliRunner().invoke(cli, ["verdict", str(tmp_path)])
    assert res.exit_code != 0 and "no run" in res.output
