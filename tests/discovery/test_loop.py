"""The loop around bad candidates, seeding, ablations, caps and the contract."""

from __future__ import annotations

import time

import pytest

from autotts.controllers.contract import contract_violations
from autotts.discovery.loop import main, run_loop
from autotts.discovery.proposers.manual import AwaitingSubmission, ManualProposer
from autotts.discovery.round.state import round_states
from autotts.discovery.run.config import ConfigError
from autotts.discovery.run.config_file import config_to_toml, load_config
from autotts.discovery.run.directory import open_run
from autotts.discovery.run.files import RunError
from autotts.discovery.sandbox.evaluate import CellResult
from tests.discovery.conftest import candidate, small_config

HEADER = ("from dataclasses import dataclass\nfrom autotts.controllers.base import Controller\n"
          "@dataclass(frozen=True)\nclass H(Controller):\n    beta: float = 0.5\n"
          "    def solve(self, ep):\n")

HOSTILE_RUNTIME = {
    "a_raise.py": HEADER + "        raise ValueError('nope')\n",
    "b_exit.py": "import os\n" + HEADER + "        os._exit(7)\n",
    "c_loop.py": HEADER + "        while True:\n            pass\n",
    "d_type.py": HEADER + "        ep.open()\n        return 3.5\n",
    "e_tamper.py": HEADER + "        open({victim!r}, 'a').write('x')\n"
                             "        return ep.read_full()\n",
}


def _seed(tmp_path, files: dict[str, str]):
    d = tmp_path / "seeds"
    d.mkdir()
    for name, text in files.items():
        (d / name).write_text(text)
    return d


def test_hostile_rounds_are_contained_recorded_and_the_loop_goes_on(make_run, tmp_path):
    # Static checks off: every hostile file reaches the sandbox and is contained there.
    victim = tmp_path / "run" / "rounds" / "r0001" / "candidate.py"
    files = {k: v.format(victim=str(victim)) for k, v in HOSTILE_RUNTIME.items()}
    files["0_good.py"] = candidate("momentum.py")
    run = make_run(rounds=0, seed_dir=str(_seed(tmp_path, files)), static_checks=False,
                   job_timeout_s=4.0)
    states = run_loop(run, ManualProposer())
    assert [s["status"] for s in states] == ["ok", "failed", "failed", "failed", "failed",
                                             "ok" if states[-1]["status"] == "ok" else "failed"]
    errors = [s["error"] for s in states[1:5]]
    assert "nope" in errors[0] and "code 7" in errors[1] and "CPU-time limit" in errors[2]
    assert "expected str or None" in errors[3]
    meta = open_run(run.dir).meta
    assert victim.read_text() == candidate("momentum.py") or meta["tampering"]
    for s in states:
        assert (run.dir / "rounds" / f"r{s['round']:04d}" / "summary.md").is_file()


def test_static_validation_stops_hostile_files_before_they_run(make_run, tmp_path):
    files = {"a.py": "import socket\n" + HEADER + "        return None\n",
             "b.py": HEADER + "        return ep._table\n", "c.py": candidate("legacy_width.py")}
    run = make_run(rounds=0, seed_dir=str(_seed(tmp_path, files)))
    states = run_loop(run, ManualProposer())
    assert [s["status"] for s in states] == ["invalid", "invalid", "ok"]
    assert "socket" in states[0]["error"] and "_table" in states[1]["error"]
    assert "results.json" not in {p.name for p in (run.dir / "rounds" / "r0001").iterdir()}


def test_contract_violation_is_invalid_but_archived(make_run, tmp_path):
    shrinking = ("from dataclasses import dataclass\n"
                 "from autotts.controllers.base import Controller\n"
                 "from autotts.controllers.voting import majority\n@dataclass(frozen=True)\n"
                 "class Shrink(Controller):\n    beta: float = 0.5\n    def solve(self, ep):\n"
                 "        n = max(1, round(24 - 22 * self.beta))\n"
                 "        return majority(ep.read_full() for _ in range(n))\n")
    run = make_run(rounds=0, seed_dir=str(_seed(tmp_path, {"s.py": shrinking})))
    (st,) = run_loop(run, ManualProposer())
    assert st["status"] == "invalid" and "beta contract" in st["error"]
    assert "tokens fall" in st["error"]
    assert (run.dir / "rounds" / "r0001" / "curves.csv").is_file()


def test_contract_rules_on_numbers():
    def cell(store, beta, tokens, opened):
        return CellResult(store, {"beta": beta}, 50.0, tokens, opened, [], [], [])
    good = [cell("s", 0.0, 100, 2), cell("s", 1.0, 5000, 20)]
    assert contract_violations(good, sc64_tokens={"s": 10000}) == []
    noisy = [cell("s", 0.0, 1000, 2), cell("s", 0.5, 990, 2), cell("s", 1.0, 4000, 30)]
    assert contract_violations(noisy, sc64_tokens={"s": 10000}) == []  # within 2%
    small = [cell("s", 0.0, 100, 2), cell("s", 1.0, 200, 3)]
    (msg,) = contract_violations(small, sc64_tokens={"s": 10000})
    assert "64-branch budget" in msg


def test_no_contract_ablation_tunes_free_settings(make_run, tmp_path):
    free = ("from dataclasses import dataclass\nfrom autotts.controllers.base import Controller\n"
            "from autotts.controllers.voting import majority\n@dataclass(frozen=True)\n"
            "class Free(Controller):\n    n: int = 3\n"
            "    SETTINGS = [{'n': 1}, {'n': 5}, {'n': 9}]\n"
            "    def solve(self, ep):\n"
            "        return majority(ep.read_full() for _ in range(self.n))\n")
    run = make_run(rounds=0, beta_contract=False, history_traces=False,
                   seed_dir=str(_seed(tmp_path, {"f.py": free})))
    (st,) = run_loop(run, ManualProposer())
    assert st["status"] == "ok" and st["grid"] == [{"n": 1}, {"n": 5}, {"n": 9}]
    assert st["score"]["top_params"] == st["score"]["best_params"]
    prompt = (run.workspace / "PROMPT.md")
    assert not prompt.exists() or "SETTINGS" in prompt.read_text()


def test_no_traces_ablation_keeps_traces_out_of_the_workspace(make_run):
    run = make_run(rounds=2, history_traces=False)
    for name in ("momentum.py", "greedy_width.py"):
        try:
            run_loop(run, ManualProposer(), max_new=1)
        except AwaitingSubmission:  # the round is prepared
            pass
        (run.workspace / "candidate.py").write_text(candidate(name))
        run_loop(run, ManualProposer(submit=True), max_new=1)
    assert not list((run.workspace / "history").rglob("traces.jsonl"))
    assert "traces.jsonl" not in (run.workspace / "PROMPT.md").read_text()


def test_a_budget_too_small_for_one_round_starts_none_and_says_why(make_run, tmp_path):
    run = make_run(rounds=5, wall_minutes=1e-6,
                   seed_dir=str(_seed(tmp_path, {"a.py": candidate("momentum.py")})))
    assert run_loop(run, ManualProposer()) == []
    assert "wall-time cap: stopped after 0 rounds" in open_run(run.dir).meta["stopped"]


def test_a_tiny_run_with_a_small_budget_finishes_inside_it(make_run, tmp_path):
    """The whole job (baselines, rounds, held-out, report) keeps the deadline:
    rounds stop early when one more would not leave time for what follows."""
    budget_s = 30.0
    # slow rounds (a busy loop per question; ~2 s each on a 2-core machine, where 5-6 fit
    # in 30 s), four times as many as fit: a fast quiet machine fitted 12 plain ones
    seeds = {f"{k}.py": candidate("slow_momentum.py") for k in range(24)}
    run = make_run(rounds=0, wall_minutes=budget_s / 60, seed_dir=str(_seed(tmp_path, seeds)))
    lines: list[str] = []
    t0 = time.monotonic()
    report = main(run, ManualProposer(), say=lines.append)
    elapsed = time.monotonic() - t0
    assert elapsed <= budget_s, f"took {elapsed:.1f} s of a {budget_s:.0f} s budget"
    assert report is not None and report.is_file()
    meta = open_run(run.dir).meta
    done = [s for s in round_states(run) if s["phase"] == "done"]
    assert 1 <= len(done) < 24 and "wall-time cap" in meta["stopped"]  # 24 rounds do not fit
    assert "stopped early: wall-time cap" in report.read_text()
    for phase in ("baselines on the search split", "round 1 of 24", "held-out evaluation",
                  "report"):
        assert any(line.startswith(phase) for line in lines), (phase, lines)


def test_config_roundtrip_and_errors(tmp_path, synth_data):
    cfg = small_config(synth_data, proposer_settings={"command": ["claude", "-p", "{prompt}"],
                                                      "timeout_s": 60})
    path = tmp_path / "config.toml"
    path.write_text(config_to_toml(cfg))
    assert load_config(path) == cfg
    path.write_text(config_to_toml(cfg).replace("[caps]", "[caps]\nbogus = 1"))
    with pytest.raises(ConfigError, match="unknown key 'bogus' in \\[caps\\]"):
        load_config(path)
    path.write_text(config_to_toml(cfg).replace("seeds = 3", "seeds = \"three\""))
    with pytest.raises(ConfigError, match="seeds"):
        load_config(path)


def test_open_run_on_an_empty_directory(tmp_path):
    with pytest.raises(RunError, match="holds no run"):
        open_run(tmp_path)
