"""The page of a run that is still going (synthetic stores, the real loop): a round
waiting for its proposal, a failed round, no held-out number before selection."""

from __future__ import annotations

import pytest

from autotts.discovery.loop import run_loop
from autotts.discovery.proposers.manual import AwaitingSubmission, ManualProposer
from autotts.discovery.run.directory import init_run, open_run
from autotts.viewer.page import build_page
from autotts.viewer.rundata import load_run, run_version
from tests.discovery.conftest import candidate, small_config, write_synthetic


@pytest.fixture
def running(tmp_path):
    data = tmp_path / "data"
    for i, name in enumerate(("ModelA/aime24", "ModelB/aime24", "ModelA/aime25")):
        write_synthetic(data, name, seed=10 + i)
    init_run(tmp_path / "run", small_config(data, rounds=3))
    return tmp_path / "run"


def _round(run_dir, source: str | None) -> None:
    """Ask for the next round; submit ``source`` as its candidate unless None."""
    with pytest.raises(AwaitingSubmission):
        run_loop(open_run(run_dir), ManualProposer(submit=False), max_new=1)
    if source is not None:
        (run_dir / "workspace" / "candidate.py").write_text(source)
        run_loop(open_run(run_dir), ManualProposer(submit=True), max_new=1)


def test_page_of_a_running_run(running):
    _round(running, candidate("momentum.py"))
    _round(running, "import os\n")  # no class: invalid, archived with its error
    v2 = run_version(running)
    _round(running, None)  # round 3 waits for its candidate
    assert run_version(running) != v2
    data = load_run(running)
    assert [(r.n, r.state.get("status"), r.state["phase"]) for r in data.rounds] == [
        (1, "ok", "done"), (2, "invalid", "done"), (3, None, "proposing")]
    assert data.rounds[1].diff.startswith("--- r0001")  # diffed against its parent
    html = build_page(data, live=True, version=v2)
    assert 'data-round="3"><td>r0003</td><td>proposing...</td>' in html
    assert "validation:" in html and "Not yet: held-out numbers appear here" in html
    assert "ModelA/aime25" not in html  # the held-out store is never named before selection
    assert "live: true" in html and f"version: '{v2}'" in html


def test_the_rounds_table_shows_the_proposers_fitness_only_when_rounds_have_one(running):
    import json

    _round(running, candidate("momentum.py"))
    data = load_run(running)
    assert "<th>fitness</th>" not in build_page(data)
    path = running / "rounds" / "r0001" / "state.json"
    st = json.loads(path.read_text())
    st["score"]["fitness"] = 61.234
    path.write_text(json.dumps(st))
    html = build_page(load_run(running))
    assert "<th>area</th><th>fitness</th>" in html and "<td>61.23</td>" in html
