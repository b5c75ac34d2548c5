"""`autotts view` on a free port follows a run: a round added while the page is
open appears without a reload by hand; the server answers on 127.0.0.1 only."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.viewer.smallrun import ROUND_FILES, new_run, propose


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def one_round_run(tmp_path_factory, data_dir):
    """A run with its first round done. Module-scoped so that it is made before the
    browser starts: the baselines' worker processes are forked, and forking a process
    that runs playwright's threads can hang."""
    run_dir = tmp_path_factory.mktemp("view") / "run"
    new_run(run_dir, data_dir)
    assert propose(run_dir, ROUND_FILES[0])["status"] == "ok"
    return run_dir


@pytest.fixture
def viewer(one_round_run):
    """`autotts view` serving the one-round run; yields (run_dir, url)."""
    run_dir = one_round_run
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-m", "autotts.cli.main", "view", str(run_dir),
                             "--port", str(port)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()  # printed once the page is built and the port is bound
        url = f"http://127.0.0.1:{port}/"
        assert url in line, line
        yield run_dir, url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def version(url: str) -> str:
    with urllib.request.urlopen(url + "api/version", timeout=30) as r:
        return json.load(r)["version"]


def test_view_shows_a_new_round_without_reload(one_round_run, viewer, browser, page_errors,
                                                tmp_path):
    run_dir, url = viewer
    page, errors = page_errors(browser)
    page.goto(url)
    page.wait_for_selector('tr.round-row[data-round="1"]')
    assert page.locator('tr.round-row[data-round="2"]').count() == 0
    assert page.locator("#live").is_visible()
    page.click('tr.round-row[data-round="1"]')
    before = version(url)
    st = propose(run_dir, ROUND_FILES[1])  # the next round, written by the loop as usual
    assert st["status"] == "ok", st.get("error")
    assert version(url) != before
    page.wait_for_selector('tr.round-row[data-round="2"]', timeout=60_000)
    page.click('tr.round-row[data-round="2"]')
    assert "class GreedyWidth" in page.locator("#panel-2 .source").inner_text()
    page.screenshot(path=str(tmp_path / "view.png"))
    assert errors == []


def test_view_refuses_a_directory_without_a_run(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    res = subprocess.run([sys.executable, "-m", "autotts.cli.main", "view", str(tmp_path),
                          "--port", "0"], capture_output=True, text=True, timeout=120, env=env,
                         check=False)
    assert res.returncode == 1
    expected = (f"Error: {tmp_path} holds no run (no run.json); "
                f"start one with `autotts discover init {tmp_path}`")
    assert res.stderr.strip().splitlines() == [expected]
