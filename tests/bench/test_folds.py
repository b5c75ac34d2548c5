"""bench/folds.py (not part of the package; loaded by path): the fold jobs'
commands, the one-commit rule and the table, failed jobs kept as rows."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
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


def _row(fold, seed, est=None, lo=None, picks=("fitness",), vec=None):
    """A job row; with ``vec`` (row 0 the estimate) its picks' resampled gaps."""
    base = {"job": f"search-{fold}-s{seed}", "fold": fold, "seed": seed, "code": "abc",
            "wall_s": 60.0}
    if est is None:
        return {**base, "status": "failed", "error": "rc 1: boom"}
    gap = {"estimate": est, "lo": lo, "hi": est + 1, "frac_le_zero": 0.1}
    pick = {"round": 2, "mean_gap": gap, "at_gap": gap}
    row = {**base, "status": "ok", "verdict": {"picks": {k: pick for k in picks}}}
    if vec is not None:
        v = np.asarray(vec, dtype=float)
        row["vectors"] = {k: (v, v + 1) for k in picks}
    return row


def test_the_table_keeps_failed_jobs_and_counts_them_as_not_above_zero():
    rows = [_row("aime24", 0, 0.5, 0.1), _row("aime24", 1, -0.2, -1.0), _row("hmmt25", 0)]
    agg = folds_table.aggregate(rows)
    fit = agg["rules"]["fitness"]
    assert {k: fit["all"][k] for k in ("jobs", "with_verdict", "worst", "above_zero",
                                      "interval_above_zero")} == \
        {"jobs": 3, "with_verdict": 2, "worst": -0.2, "above_zero": 1, "interval_above_zero": 1}
    assert fit["all"]["mean"] == pytest.approx(0.15)
    assert fit["aime24"]["mean"] == pytest.approx(0.15) and fit["hmmt25"]["mean"] is None
    # an older verdict without "primary": the fitness pick is derived as primary
    assert agg["primary"]["all"]["kinds"] == {"fitness": 2}
    text = "\n".join(folds_table.table_lines(rows, agg, mixed=False))
    assert "| hmmt25 | 0 | - | - | FAILED: rc 1: boom |" in text
    assert "| aime24 | 0 | fitness (primary) | r2 | +0.50 [+0.10, +1.50] |" in text
    assert "| fitness | all | 3 (2 with a verdict) | +0.15 | - | -0.20 | 1 of 3 | 1 of 3 |" \
        in text
    # a failed job is named beside every target, and misses those it would meet
    assert text.count("(1 of 3 jobs without a verdict)") == 5 and "**met**" not in text
    assert "- mean over all 3 jobs >= +1.0: +0.15 (1 of 3 jobs without a verdict): " \
        "**missed by 0.85**" in text


def test_the_headline_is_the_primary_pick_with_joint_intervals_of_the_means():
    # two folds; job vectors share draws (rows 1.. resamples), row 0 the estimate
    rows = [_row("aime24", 0, 1.0, 0.2, ("accuracy", "fitness"), [1.0, 0.0, 2.0, 1.0]),
            _row("aime24", 1, 3.0, 0.5, ("accuracy", "fitness"), [3.0, 2.0, 4.0, 3.0]),
            _row("hmmt25", 0, 0.4, -1.0, ("accuracy", "area"), [0.4, -1.0, 1.0, 0.4])]
    rows[0]["verdict"]["primary"] = rows[1]["verdict"]["primary"] = "fitness"
    rows[2]["verdict"]["primary"] = "accuracy"  # a run with no fitness rule
    agg = folds_table.aggregate(rows)
    prim, other = agg["primary"], agg["other"]
    assert prim["all"]["kinds"] == {"fitness": 2, "accuracy": 1}
    assert other["all"]["kinds"] == {"accuracy": 2, "area": 1}
    assert prim["all"]["mean"] == pytest.approx(4.4 / 3) and prim["all"]["worst"] == 0.4
    # the interval of the mean is the percentile interval of the row-wise mean
    boot = (np.array([0.0, 2.0, 1.0]) + [2.0, 4.0, 3.0] + [-1.0, 1.0, 0.4]) / 3
    lo, hi = np.percentile(boot, [2.5, 97.5])
    ci = prim["all"]["mean_ci"]
    assert ci["estimate"] == pytest.approx(4.4 / 3)
    assert (ci["lo"], ci["hi"]) == (pytest.approx(lo), pytest.approx(hi))
    assert prim["all"]["at_mean_ci"]["estimate"] == pytest.approx(4.4 / 3 + 1)
    # per fold: the aime24 fold's mean of two jobs
    assert prim["aime24"]["mean_ci"]["lo"] == pytest.approx(np.percentile([1.0, 3.0, 2.0],
                                                                          2.5))
    lines = folds_table.headline_lines(agg)
    assert lines[2].startswith("| all | 3 (3 with a verdict) | accuracy 1, fitness 2 | "
                               f"+1.47 [{lo:+.2f}, {hi:+.2f}] | +0.40 | 3 of 3 | 2 of 3 |")
    assert "| aime24 | 2 (2 with a verdict) | fitness | +2.00 [+1.05, +2.95] |" in lines[3]


def test_the_targets_say_met_or_by_how_much_they_are_missed():
    import folds_targets

    def stats(mean, worst, at, lo):
        return {"jobs": 5, "with_verdict": 5, "mean": mean, "worst": worst, "at_mean": at,
                "mean_ci": {"estimate": mean, "lo": lo, "hi": mean + 1}}

    primary = {"all": stats(1.2, 0.1, 0.75, 0.3), "aime24": stats(2.0, 0.5, 1, 0.1),
               "hmmt25": stats(0.0, 0.1, 1, -0.2)}
    got = {t: r for t, _, r in folds_targets.target_checks(primary)}
    assert got == {"mean over all 5 jobs >= +1.0": "met",
                   "worst job >= +0.3": "missed by 0.20",
                   "mean gap at 331k >= +1.0": "missed by 0.25",
                   "every fold's mean > 0": "missed by 0.00 (must be above)",
                   "95% interval of the all-jobs mean above 0": "met"}
    primary["all"]["with_verdict"] = 4  # a failed job: what was met is missed
    after = {t: r for t, _, r in folds_targets.target_checks(primary)}
    assert after["mean over all 5 jobs >= +1.0"] == "missed: a job failed"
    assert after["worst job >= +0.3"] == "missed by 0.20"
    primary["all"]["with_verdict"] = 5
    lines = folds_targets.target_lines(primary)
    assert "- every fold's mean > 0: aime24 +2.00, hmmt25 +0.00: **missed by 0.00 (must be " \
           "above)**" in lines
    blank = {t: r for t, _, r in folds_targets.target_checks(primary, "blank")}
    assert blank == {"mean over all 5 jobs >= +0.7": "met", "worst job >= +0.0": "met",
                     "every fold's mean > 0": "missed by 0.00 (must be above)",
                     "95% interval of the all-jobs mean above 0": "met"}


def test_a_table_of_blank_start_jobs_is_checked_against_the_blank_targets():
    import folds_table

    blank = {"cmd": "autotts discover --rounds 5 --seed 0 --set start=blank"}
    assert folds_table.start_of([blank, dict(blank)]) == "blank"
    assert folds_table.start_of([blank, {"cmd": "autotts discover --rounds 5"}]) == "default"
    assert folds_table.start_of([]) == "default"
