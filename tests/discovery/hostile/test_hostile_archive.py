"""Score edits after archiving: detected, excluded from selection, named at the
top of the report; edited held-out results are re-derived."""

from __future__ import annotations

import json
import shutil

import pytest

from autotts.discovery.loop import run_loop
from autotts.discovery.proposers.manual import ManualProposer
from autotts.discovery.round.state import round_states
from autotts.discovery.run.directory import open_run
from autotts.discovery.run.files import round_dir
from autotts.discovery.run.integrity import round_intact, tampered_rounds
from autotts.discovery.selection.heldout import finalize
from autotts.discovery.selection.report import write_report

from ..conftest import candidate


@pytest.fixture(scope="module")
def archived(tmp_path_factory, synth_data):
    """A finished two-round run (built once; tests edit private copies)."""
    from autotts.discovery.run.directory import init_run

    from ..conftest import small_config
    root = tmp_path_factory.mktemp("archive")
    seeds = root / "seeds"
    seeds.mkdir()
    (seeds / "0_momentum.py").write_text(candidate("momentum.py"))
    (seeds / "1_greedy.py").write_text(candidate("greedy_width.py"))
    run = init_run(root / "run", small_config(synth_data, rounds=0, seeds=2, seed_dir=str(seeds),
                                              search=("ModelA/aime24",)))
    states = run_loop(run, ManualProposer())
    assert [s["status"] for s in states] == ["ok", "ok"]
    finalize(open_run(run.dir))
    return run.dir


@pytest.fixture
def run(archived, tmp_path):
    shutil.copytree(archived, tmp_path / "run")
    (tmp_path / "run" / "run.lock").unlink(missing_ok=True)
    return open_run(tmp_path / "run")


def _edit_state(run, n: int, **changes) -> None:
    path = round_dir(run.dir, n) / "state.json"
    st = json.loads(path.read_text())
    st["score"].update(changes)
    path.write_text(json.dumps(st))


def test_an_untouched_archive_verifies(run):
    assert all(round_intact(run, st) for st in round_states(run))
    assert tampered_rounds(run, round_states(run)) == []


def test_score_edit_in_state_is_excluded_and_named_first(run):
    _edit_state(run, 1, best_accuracy=100.0, area=1e9)
    assert tampered_rounds(run, round_states(run)) == [1]
    sel = finalize(run)
    assert 1 not in sel["rounds"] and 1 not in sel["picks"].values()
    head = write_report(run).read_text().splitlines()[:4]
    assert any("TAMPERED ROUNDS" in ln and "r0001" in ln for ln in head)


@pytest.mark.parametrize("victim", ["results.json", "curves.csv", "candidate.py"])
def test_edits_to_round_files_are_detected(run, victim):
    path = round_dir(run.dir, 2) / victim
    path.write_text(path.read_text() + " ")
    assert tampered_rounds(run, round_states(run)) == [2]


def test_removing_the_digest_or_editing_config_and_baselines_is_detected(run):
    st_path = round_dir(run.dir, 1) / "state.json"
    st = json.loads(st_path.read_text())
    st.pop("digest")
    st_path.write_text(json.dumps(st))
    assert 1 in tampered_rounds(run, round_states(run))
    base = run.dir / "baselines" / "search.json"
    base.write_text(base.read_text().replace("0.", "9.", 1))
    assert tampered_rounds(run, round_states(run)) == [1, 2]


def test_an_edited_held_out_result_is_re_derived(run):
    path = run.dir / "final" / "heldout_r0001.json"
    original = json.loads(path.read_text())
    forged = json.loads(path.read_text())
    for cell in forged["cells"]:
        cell["accuracy"] = 100.0
    path.write_text(json.dumps(forged))
    finalize(run)
    again = json.loads(path.read_text())
    assert [c["accuracy"] for c in again["cells"]] == [c["accuracy"] for c in original["cells"]]
