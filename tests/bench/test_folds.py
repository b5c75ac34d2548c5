"""bench/folds.py (not part of the package; loaded by path): the fold jobs'
commands, the one-commit rule and the table, failed jobs kept as rows."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))
import folds  # noqa: E402
import folds_table  # noqa: E402


def test_each_fold_searches_one_benchmark_and_holds_out_the_others():
    cmd = folds.discover_cmd(Path("/w/x"), "hmmt25", 3, 5, ["--rounds", "1"])
    # the main job's rounds without its wall cap: the table does not depend on load
    assert cmd[:6] == ["autotts", "discover", "--budget-minutes", "0", "--rounds", "5"]
    assert cmd[cmd.index("--search") + 1] == "*/hmmt25"
    held = [cmd[i + 1] for i, a in enumerate(cmd) if a == "--held-out"]
    assert held == ["*/aime24", "*/aime25"]
    assert cmd[cmd.index("--seed") + 1] == "3" and cmd[-2:] == ["--rounds", "1"]


def test_jobs_of_another_commit_are_refused_unless_forced():
    jobs = [{"code": "abc1234"}]
    folds.check_code(jobs, "abc1234", force=False)
    folds.check_code(jobs, "def5678", force=True)
    with pytest.raises(SystemExit, match="one table, one commit"):
        folds.check_code(jobs, "def5678", force=False)


def _row(fold, seed, est=None, lo=None):
    base = {"job": f"search-{fold}-s{seed}", "fold": fold, "seed": seed, "code": "abc",
            "wall_s": 60.0}
    if est is None:
        return {**base, "status": "failed", "error": "rc 1: boom"}
    gap = {"estimate": est, "lo": lo, "hi": est + 1, "frac_le_zero": 0.1}
    pick = {"round": 2, "mean_gap": gap, "at_gap": gap}
    return {**base, "status": "ok", "verdict": {"picks": {"fitness": pick}}}


def test_the_table_keeps_failed_jobs_and_counts_them_as_not_above_zero():
    rows = [_row("aime24", 0, 0.5, 0.1), _row("aime24", 1, -0.2, -1.0), _row("hmmt25", 0)]
    agg = folds_table.aggregate(rows)["fitness"]
    assert agg["all"] == {"jobs": 3, "with_verdict": 2, "mean": pytest.approx(0.15),
                          "worst": -0.2, "above_zero": 1, "interval_above_zero": 1}
    assert agg["aime24"]["mean"] == pytest.approx(0.15) and agg["hmmt25"]["mean"] is None
    text = "\n".join(folds_table.table_lines(rows, {"fitness": agg}, mixed=False))
    assert "| hmmt25 | 0 | - | - | FAILED: rc 1: boom |" in text
    assert "| aime24 | 0 | fitness | r2 | +0.50 [+0.10, +1.50] |" in text
    assert "| fitness | all | 3 (2 with a verdict) | +0.15 | -0.20 | 1 of 3 | 1 of 3 |" in text
