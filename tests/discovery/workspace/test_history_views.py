"""The derived history views an agent reads: per-question correct rates, mean
curves in INDEX.md and traces annotated with their question's correct rate."""

from __future__ import annotations

import csv
import json

import pytest

from autotts.discovery.loop import run_loop
from autotts.discovery.proposers.manual import AwaitingSubmission, ManualProposer
from autotts.discovery.workspace.history_views import annotate_traces, mean_curve, questions_csv
from tests.discovery.conftest import candidate

CELLS = [
    {"store": "A/aime24", "params": {"beta": 0.0}, "accuracy": 50.0, "tokens": 1000.0,
     "question_correct_rate": [1.0, 0.0]},
    {"store": "B/aime24", "params": {"beta": 0.0}, "accuracy": 70.0, "tokens": 3000.0,
     "question_correct_rate": [0.5, 0.25]},
]


def test_views_from_cells():
    rows = list(csv.reader(questions_csv(CELLS).splitlines()))
    assert rows[0] == ["store", "params", "question", "correct_rate"]
    assert rows[1:] == [["A/aime24", "beta=0.0", "0", "1.000"],
                        ["A/aime24", "beta=0.0", "1", "0.000"],
                        ["B/aime24", "beta=0.0", "0", "0.500"],
                        ["B/aime24", "beta=0.0", "1", "0.250"]]
    assert mean_curve(CELLS) == [("beta=0.0", 60.0, 2000.0)]
    trace = json.dumps({"store": "B/aime24", "params": {"beta": 0.0}, "question": 1, "events": []})
    (row,) = [json.loads(x) for x in annotate_traces(trace + "\n", CELLS).splitlines()]
    assert row["question_correct_rate"] == 0.25


def test_history_of_a_real_round(make_run):
    run = make_run()
    with pytest.raises(AwaitingSubmission):
        run_loop(run, ManualProposer(submit=False), max_new=1)
    (run.workspace / "candidate.py").write_text(candidate("momentum.py"))
    (st,) = run_loop(run, ManualProposer(submit=True), max_new=1)
    assert st["status"] == "ok", st.get("error")
    with pytest.raises(AwaitingSubmission):
        run_loop(run, ManualProposer(submit=False), max_new=1)
    hist = run.workspace / "history"
    results = json.loads((run.dir / "rounds" / "r0001" / "results.json").read_text())
    rates = {(c["store"], c["params"]["beta"]): c["question_correct_rate"]
             for c in results["cells"]}
    rows = list(csv.DictReader((hist / "r0001" / "questions.csv").open()))
    assert len(rows) == sum(len(v) for v in rates.values())
    for r in rows:
        beta = float(r["params"].split("=")[1])
        want = rates[(r["store"], beta)][int(r["question"])]
        assert float(r["correct_rate"]) == pytest.approx(want, abs=5e-4)
    traces = [json.loads(x) for x in (hist / "r0001" / "traces.jsonl").read_text().splitlines()]
    def rate(t: dict) -> float:
        return round(rates[(t["store"], t["params"]["beta"])][t["question"]], 3)
    assert traces and all(t["question_correct_rate"] == rate(t) for t in traces)
    index = (hist / "INDEX.md").read_text()
    assert "## Mean search curves" in index and "- r0001 (ok): 0.0: " in index
    assert "gold" not in (hist / "r0001" / "questions.csv").read_text().lower()


def test_cli_submit_shows_the_round_without_another_next(make_run):
    import subprocess
    import sys
    run = make_run()
    with pytest.raises(AwaitingSubmission):
        run_loop(run, ManualProposer(submit=False), max_new=1)
    (run.workspace / "candidate.py").write_text(candidate("momentum.py"))
    out = subprocess.run([sys.executable, "-m", "autotts.cli.main", "discover", "submit",
                          str(run.dir)], capture_output=True, text=True, timeout=300, check=False)
    assert "round 1: ok" in out.stdout, out.stdout + out.stderr
    assert "round 1 mean search curve (beta: accuracy @ tokens): 0.0: " in out.stdout
    hist = run.workspace / "history"
    assert (hist / "r0001" / "questions.csv").is_file()
    assert "- r0001 (ok): " in (hist / "INDEX.md").read_text()
