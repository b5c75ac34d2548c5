"""Screening mode: rounds on a few seeds, the contenders re-run on all seeds
before selection, the archive and report saying which numbers are which."""

from __future__ import annotations

import shutil
from dataclasses import asdict

import pytest
from click.testing import CliRunner

from autotts.cli.discover_cmd import discover_group
from autotts.discovery.loop import check_tampering, run_loop
from autotts.discovery.proposers.manual import AwaitingSubmission, ManualProposer
from autotts.discovery.round.state import round_states
from autotts.discovery.round.steps import history
from autotts.discovery.run.config import ConfigError
from autotts.discovery.run.config_file import load_config
from autotts.discovery.run.directory import init_run, open_run
from autotts.discovery.run.files import (
    load_round_state,
    read_json,
    round_dir,
)
from autotts.discovery.sandbox.evaluate import evaluate_candidate
from autotts.discovery.selection import few_seed as screening
from autotts.discovery.selection.heldout import finalize
from autotts.discovery.selection.report import write_report
from autotts.discovery.workspace.agent_files import refresh_history, render_prompt
from tests.discovery.conftest import candidate, small_config

SEEDS = ("momentum.py", "greedy_width.py", "legacy_width.py")


@pytest.fixture(scope="module")
def screened_template(tmp_path_factory, synth_data):
    """Three seeded rounds screened on 2 seeds out of 3; one contender per rule."""
    root = tmp_path_factory.mktemp("screened")
    seed_dir = root / "seeds"
    seed_dir.mkdir()
    for i, name in enumerate(SEEDS):
        (seed_dir / f"{i}_{name}").write_text(candidate(name))
    run = init_run(root / "run", small_config(synth_data, rounds=0, seeds=3, screen_seeds=2,
                                              screen_topk=1, seed_dir=str(seed_dir)))
    states = run_loop(run, ManualProposer())
    assert [s["status"] for s in states] == ["ok"] * 3
    return run.dir


@pytest.fixture
def screened_run(screened_template, tmp_path):
    """A private copy of the screened run (the rounds are evaluated once per module)."""
    shutil.copytree(screened_template, tmp_path / "run")
    (tmp_path / "run" / "run.lock").unlink(missing_ok=True)
    return open_run(tmp_path / "run")


def test_rounds_are_screened_and_the_archive_says_so(screened_run):
    run = screened_run
    done = round_states(run)
    for st in done:
        rdir = round_dir(run.dir, st["round"])
        assert st["seeds"] == 2 and st["screened"] is True
        doc = read_json(rdir / "results.json")
        assert doc["seeds"] == 2 and doc["screened"] is True
        assert all(len(c["seed_accuracy"]) == 2 for c in doc["cells"])
        assert "Seeds: 2 (SCREENED" in (rdir / "summary.md").read_text()
        assert not (rdir / screening.FULL_FILE).exists()
    refresh_history(run.workspace, run.dir, run.cfg, done)
    assert (run.workspace / "history" / "INDEX.md").read_text().count("screened: 2 seeds only") == 3
    seen = history(run, done)
    assert all(h.score["screened"] is True and h.score["seeds"] == 2 for h in seen)
    prompt = render_prompt(run.cfg, 4, 4, ["a", "b"])
    assert "2 (a screening" in prompt and "all 3" in prompt


def test_picks_are_rerun_in_full_and_chosen_on_full_numbers(screened_run):
    run = screened_run
    before = {s["round"]: (round_dir(run.dir, s["round"]) / "results.json").read_bytes()
              for s in round_states(run)}
    expected = {s["round"] for s in screening.considered(round_states(run), 1)}
    sel = finalize(run)
    assert sel["screening"]["considered"] == sorted(expected)
    assert 1 <= len(expected) < 3  # top-1 by accuracy and by area: someone is left out
    done = round_states(run)
    for st in done:
        rdir = round_dir(run.dir, st["round"])
        assert (rdir / "results.json").read_bytes() == before[st["round"]]  # never overwritten
        if st["round"] not in expected:
            assert not (rdir / screening.FULL_FILE).exists() and "full" not in st
            continue
        full = read_json(rdir / screening.FULL_FILE)
        assert full["seeds"] == 3 and full["screened"] is False and st["full"]["seeds"] == 3
        screened = read_json(rdir / "results.json")["cells"]
        for c_s, c_f in zip(screened, full["cells"]):  # seeds 0,1 are a prefix of 0,1,2
            assert c_f["seed_accuracy"][:2] == c_s["seed_accuracy"]
            assert c_f["seed_tokens"][:2] == c_s["seed_tokens"]
    contenders = [s for s in done if s["round"] in expected]
    best_acc = max(contenders, key=lambda s: (s["full"]["score"]["best_accuracy"], -s["round"]))
    best_area = max(contenders, key=lambda s: (s["full"]["score"]["area"], -s["round"]))
    assert sel["picks"] == {"accuracy": best_acc["round"], "area": best_area["round"]}
    assert check_tampering(run, done) == []  # the parent's own results_full.json is no tampering
    text = write_report(run).read_text()
    assert "SCREENING: rounds evaluated on 2 seeds" in text
    assert "| 2 seeds, screened |" in text and "| 3 seeds, full |" in text
    assert "picked on search numbers: 3 seeds, full" in text


def test_full_rerun_equals_a_direct_full_evaluation(screened_run):
    run = screened_run
    st = load_round_state(run.dir, 2)
    st = screening.full_evaluate(run, st)
    source = (round_dir(run.dir, 2) / "candidate.py").read_text()
    direct = evaluate_candidate(source, st["class_name"], run.search_stores, st["grid"],
                                [0, 1, 2], run.sandbox())
    full = read_json(round_dir(run.dir, 2) / screening.FULL_FILE)
    assert full["cells"] == [asdict(c) for c in direct.cells]


def test_resume_after_screening_does_not_repeat_work(screened_run, monkeypatch):
    run = screened_run
    calls = []
    real = screening.evaluate_candidate
    monkeypatch.setattr(screening, "evaluate_candidate",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    before = {s["round"]: (round_dir(run.dir, s["round"]) / "state.json").read_bytes()
              for s in round_states(run)}
    first = finalize(run)
    n_full = len(first["screening"]["considered"])
    assert len(calls) == n_full
    # A kill after results_full.json was written (and sealed) but before state.json recorded
    # it: the state file is the one from before the re-run.
    st = load_round_state(run.dir, first["picks"]["accuracy"])
    recorded = st.pop("full")
    (round_dir(run.dir, st["round"]) / "state.json").write_bytes(before[st["round"]])
    again = finalize(run)
    assert len(calls) == n_full  # nothing evaluated again, on search or held-out
    assert again["picks"] == first["picks"]
    assert load_round_state(run.dir, st["round"])["full"] == recorded
    assert run_loop(run, ManualProposer()) == []  # the screened rounds are not redone
    assert check_tampering(run, round_states(run)) == []


def test_cli_options_config_and_full_command(tmp_path, synth_data, make_run):
    runner = CliRunner()
    args = ["init", str(tmp_path / "r"), "--data", str(synth_data), "--search", "ModelA/aime24",
            "--held-out", "ModelA/aime25", "--seeds", "3", "--screen-seeds", "2",
            "--screen-topk", "2"]
    res = runner.invoke(discover_group, args)
    assert res.exit_code == 0, res.output
    cfg = load_config(tmp_path / "r" / "config.toml")
    assert (cfg.screen_seeds, cfg.screen_topk, cfg.round_seed_list) == (2, 2, [0, 1])
    bad = runner.invoke(discover_group, ["init", str(tmp_path / "r2"), *args[2:-4],
                                         "--screen-seeds", "3"])
    assert bad.exit_code != 0 and "screen_seeds" in bad.output
    with pytest.raises(ConfigError, match="screen_seeds"):
        small_config(synth_data, seeds=3, screen_seeds=3)
    assert small_config(synth_data).round_seed_list == [0, 1, 2]  # off by default

    run = make_run(rounds=1, seeds=3, screen_seeds=2)
    with pytest.raises(AwaitingSubmission):  # round 1 is prepared
        run_loop(run, ManualProposer(), max_new=1)
    (run.workspace / "candidate.py").write_text(candidate("momentum.py"))
    run_loop(run, ManualProposer(submit=True), max_new=1)
    res = runner.invoke(discover_group, ["full", str(run.dir), "--round", "1"])
    assert res.exit_code == 0 and "round 1, 3 seeds: ok" in res.output, res.output
    assert load_round_state(run.dir, 1)["full"]["seeds"] == 3
    res = runner.invoke(discover_group, ["full", str(run.dir), "--round", "7"])
    assert res.exit_code != 0 and "round 7" in res.output


def test_with_the_proposers_fitness_the_contenders_are_the_best_by_it_not_by_area():
    def st(n, acc, area, fit=None):
        score = {"best_accuracy": acc, "area": area, **({"fitness": fit} if fit else {})}
        return {"round": n, "status": "ok", "screened": True, "score": score}

    plain = [st(1, 0.6, 50.0), st(2, 0.5, 70.0), st(3, 0.4, 60.0)]
    assert [s["round"] for s in screening.considered(plain, 1)] == [1, 2]
    fit = [st(1, 0.6, 50.0, 61.0), st(2, 0.5, 70.0, 60.0), st(3, 0.4, 60.0, 62.0)]
    assert [s["round"] for s in screening.considered(fit, 1)] == [1, 3]
