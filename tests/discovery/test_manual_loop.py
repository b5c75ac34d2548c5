"""The manual proposer end to end: the test acts as the coding agent, reading the
workspace and writing each candidate; a run killed with -9 during round 2's
evaluation resumes and ends with exactly three rounds."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autotts.discovery.loop import run_loop
from autotts.discovery.proposers.manual import AwaitingSubmission, ManualProposer
from autotts.discovery.round.state import round_states
from autotts.discovery.run.directory import open_run
from autotts.discovery.run.files import load_round_state
from autotts.discovery.selection.heldout import finalize
from autotts.discovery.selection.report import write_report
from autotts.discovery.selection.run_verdict import run_verdict
from tests.discovery.conftest import candidate

AGENT_FILES = ["momentum.py", "legacy_width.py", "greedy_width.py"]


def agent_turn(run_dir: Path, name: str) -> None:
    """What a coding agent does: read the prompt and history, write candidate.py."""
    ws = run_dir / "workspace"
    prompt = (ws / "PROMPT.md").read_text()
    assert "beta" in prompt and "64" in prompt
    assert (ws / "history" / "INDEX.md").is_file() and (ws / "template.py").is_file()
    (ws / "candidate.py").write_text(candidate(name))


def _no_evaluation(*_args, **_kw):
    raise AssertionError("the report evaluated something finalize should have")


def test_three_manual_rounds_and_report(make_run, monkeypatch):
    run = make_run()
    for k, name in enumerate(AGENT_FILES, start=1):
        with pytest.raises(AwaitingSubmission, match=f"round {k} is ready"):
            run_loop(run, ManualProposer(submit=False), max_new=1)
        agent_turn(run.dir, name)
        (st,) = run_loop(run, ManualProposer(submit=True), max_new=1)
        assert st["round"] == k and st["status"] == "ok", st.get("error")
    # the agent sees earlier rounds (code, curves, traces), never a store or a gold answer
    hist = run.workspace / "history"
    assert sorted(p.name for p in hist.iterdir() if p.is_dir()) == ["r0001", "r0002"]
    assert (hist / "r0001" / "traces.jsonl").read_text().strip()
    ws_text = "".join(p.read_text() for p in run.workspace.rglob("*") if p.is_file())
    assert "gold" not in ws_text.lower().replace("goldfree", "")
    assert run_loop(open_run(run.dir), ManualProposer(submit=True)) == []  # all rounds done
    sel = finalize(open_run(run.dir))
    assert sel["picks"]["accuracy"] in (1, 2, 3)
    # CMC is evaluated on held-out once, for the envelope; the verdict's two points
    # are that curve's rows
    extra = json.loads((run.dir / "baselines" / "held_out_envelope.json").read_text())
    cmc = {(r["params"]["beta"], r["store"]): r for r in extra if r["controller"] == "cmc"}
    for ref in json.loads((run.dir / "final" / "reference_cmc.json").read_text()):
        row = cmc[float(ref["name"].split("=")[1]), ref["store"]]
        assert (ref["accuracy"], ref["tokens"]) == (row["accuracy"], row["tokens"])
    # finalize leaves the report nothing to evaluate
    monkeypatch.setattr("autotts.evaluation.runner.run_cells", _no_evaluation)
    monkeypatch.setattr("autotts.discovery.selection.heldout_summary.run_cells", _no_evaluation)
    monkeypatch.setattr("autotts.discovery.selection.envelope_report.run_cells", _no_evaluation)
    monkeypatch.setattr("autotts.discovery.selection.run_verdict.run_cells", _no_evaluation)
    report = write_report(open_run(run.dir)).read_text()
    for n in (1, 2, 3):
        assert f"r000{n}" in report
    # the report's verdict is `autotts verdict`'s, on per-question tokens (a new run has them)
    doc = run_verdict(run.dir)
    pre = report.split("## The verdict (pre-registered)")[1].split("##")[0]
    for pick in doc["picks"].values():
        g, a = pick["mean_gap"], pick["at_gap"]
        assert pick["tokens_resampled"] and "and tokens" in pick["resampled"]
        assert f"{g['estimate']:+.2f} [{g['lo']:+.2f}, {g['hi']:+.2f}]" in pre
        assert f"{a['estimate']:+.2f} [{a['lo']:+.2f}, {a['hi']:+.2f}]" in pre
    # the manual proposer has no fitness rule: the accuracy pick is primary, and marked
    assert sel["primary"] == "accuracy" == doc["primary"]
    assert f"| accuracy (r{sel['picks']['accuracy']}, primary) |" in pre
    assert set(doc["baselines"]["settings"]) == {"sc", "asc", "esc", "parallel-probe", "cmc",
                                                 "short-m@k-beta"}
    assert "SC@64" in report and "pick by accuracy" in report
    verdict = report.split("## Held-out points against the references")[1].split("##")[0]
    for ref in ("| SC@64 |", "| ASC |", "| CMC beta=0.5 |", "| CMC beta=1.0 |"):
        assert ref in verdict
    # SC@64 itself never passes the 35%-of-SC@64-tokens bar
    assert re.search(r"\| SC@64 \| [0-9.]+ \| [0-9.]+k \| 100\.0% \| no \|", verdict)
    assert "vs CMC beta=0.5" in verdict
    envelope = report.split("## Against the best-baseline envelope (held-out)")[1].split("##")[0]
    assert re.search(r"\| accuracy \(r\d\) \| held-out mean \| [0-9.]+k \| [0-9.]+ \| [0-9.]+ \| "
                     r"(SC|ASC|ESC|Parallel-Probe|CMC|short-m@k) \| [-+][0-9.]+ \[[-+][0-9.]+, "
                     r"[-+][0-9.]+\] \| [0-9.]+ \|", envelope), envelope
    extra = json.loads((run.dir / "baselines" / "held_out_envelope.json").read_text())
    assert {r["controller"] for r in extra} == {"esc", "parallel-probe", "cmc", "short-m@k-beta"}
    # the held-out curves figure carries CMC over the run's whole beta grid
    curves = json.loads((run.dir / "final" / "heldout_beta_curves.json").read_text())
    held = {s["name"] for s in run.store_refs("held_out")}
    assert sorted({r["beta"] for r in curves["CMC"]}) == sorted(run.cfg.betas)
    assert {r["store"] for r in curves["CMC"]} == held
    assert (run.dir / "heldout_curves.png").is_file()
    rdir = run.dir / "rounds" / "r0002"
    for name in ("candidate.py", "diff.patch", "curves.csv", "traces.jsonl", "summary.md",
                 "transcript.txt", "results.json"):
        assert (rdir / name).is_file(), name


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autotts.cli.main", "discover", *args],
                          capture_output=True, text=True, timeout=300, env=env)


def _workers_alive(tmpdir: Path) -> list[str]:
    """Sandbox workers whose job directory lies under ``tmpdir`` (this test's own
    TMPDIR), so other discovery runs on the machine are not counted."""
    alive = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if "autotts.discovery.sandbox.worker" in cmd and f"{tmpdir}/autotts-sbx-" in cmd:
            alive.append(pid)
    return alive


def test_kill_during_round_two_then_resume(make_run, tmp_path):
    run = make_run()
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    with pytest.raises(AwaitingSubmission):
        run_loop(run, ManualProposer(submit=False), max_new=1)
    agent_turn(run.dir, "momentum.py")
    run_loop(run, ManualProposer(submit=True), max_new=1)
    first = load_round_state(run.dir, 1)
    assert "round 2 is ready" in cli("next", str(run.dir)).stdout
    agent_turn(run.dir, "slow_momentum.py")
    proc = subprocess.Popen([sys.executable, "-m", "autotts.cli.main", "discover", "submit",
                             str(run.dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        st = load_round_state(run.dir, 2) or {}
        if st.get("phase") == "validated" and _workers_alive(tmpdir):
            break
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("round 2 never reached its evaluation")
    time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert load_round_state(run.dir, 2)["phase"] == "validated"
    for _ in range(50):  # the sandboxed children die with their parent
        if not _workers_alive(tmpdir):
            break
        time.sleep(0.1)
    assert _workers_alive(tmpdir) == []

    out = cli("resume", str(run.dir))
    assert "round 2: ok" in out.stdout, out.stdout + out.stderr
    assert "round 3 is ready" in out.stdout
    agent_turn(run.dir, "greedy_width.py")
    out = cli("submit", str(run.dir))
    assert "round 3: ok" in out.stdout, out.stdout + out.stderr
    assert "report" in cli("report", str(run.dir)).stdout
    states = round_states(open_run(run.dir))
    assert [s["round"] for s in states] == [1, 2, 3]
    assert all(s["phase"] == "done" and s["status"] == "ok" for s in states)
    assert load_round_state(run.dir, 1) == first  # the finished round was not redone
    assert "SlowMomentum" in (run.dir / "rounds" / "r0002" / "candidate.py").read_text()
    assert (run.dir / "report.md").is_file()


def test_init_refuses_a_directory_holding_another_run(make_run):
    run = make_run()
    out = cli("init", str(run.dir))
    assert out.returncode != 0 and "already holds run" in out.stderr
