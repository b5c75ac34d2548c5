"""A user's mistake or the world's ends in one line and an exit code, not a traceback.

Exit code 2 for bad usage or input, 1 for failures; ``--debug`` or
``AUTOTTS_DEBUG=1`` lets the original exception (and its traceback) through.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from autotts.cli.main import cli
from autotts.data.published import BASE_URL_ENV, DownloadError

SRC = str(Path(__file__).resolve().parents[2] / "src")
CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens, the connection is refused


def _run(args, **env):
    return CliRunner().invoke(cli, args, env=env or None)


def _one_line_error(res, code: int) -> str:
    """The error line; asserts the exit code and that no traceback was printed."""
    assert res.exit_code == code, res.output
    assert isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    errors = [line for line in res.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, res.output
    return errors[0]


@pytest.fixture
def no_backoff(monkeypatch):
    monkeypatch.setattr("autotts.data.transfer.time.sleep", lambda s: None)


def test_network_failure_on_first_use_download(tmp_path, no_backoff):
    empty = tmp_path / "data"
    empty.mkdir()
    res = _run(["discover", "--budget-minutes", "1", "--run-dir", str(tmp_path / "run"),
                "--data", str(empty)],
               **{BASE_URL_ENV: CLOSED})
    line = _one_line_error(res, 1)
    assert "giving up" in line and "Run the pull again" in line


def test_debug_shows_the_original_exception(tmp_path, no_backoff):
    empty = tmp_path / "data"
    empty.mkdir()
    args = ["discover", "--budget-minutes", "1", "--run-dir", str(tmp_path / "run"),
            "--data", str(empty)]
    for extra, env in ((["--debug"], {}), ([], {"AUTOTTS_DEBUG": "1"})):
        res = _run(extra + args, **{BASE_URL_ENV: CLOSED, **env})
        assert isinstance(res.exception, DownloadError)


def test_debug_env_prints_a_traceback_in_a_real_process(tmp_path):
    # The same bad store, without and with AUTOTTS_DEBUG: one line, then a traceback.
    bad = tmp_path / "broken.json.gz"
    bad.write_bytes(b"this is not gzip")
    base = {**os.environ, "PYTHONPATH": SRC}
    cmd = [sys.executable, "-m", "autotts.cli.main", "eval", "--env", str(bad),
           "--controller", "sc", "--seeds", "1", "--workers", "1"]
    plain = subprocess.run(cmd, capture_output=True, text=True, env=base)
    assert plain.returncode == 1
    assert plain.stderr.strip().count("\n") == 0 and plain.stderr.startswith("Error:")
    debug = subprocess.run(cmd, capture_output=True, text=True, env={**base, "AUTOTTS_DEBUG": "1"})
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_bad_set_value_is_refused_before_any_worker_starts():
    res = _run(["eval", "--env", "search", "--controller", "cmc", "--set", "beta=abc",
                "--workers", "2"])
    assert "beta must be a number, got 'abc'" in _one_line_error(res, 2)


@pytest.mark.parametrize("spec", ["cmc:beta=2", "cmc:beta=-0.1"])
def test_out_of_range_beta_is_refused(spec):
    res = _run(["compare", spec, "sc", "--env", "search"])
    assert "beta must lie in [0, 1]" in _one_line_error(res, 2)


def test_wrong_type_for_an_integer_parameter():
    res = _run(["eval", "--controller", "sc", "--set", "n=lots"])
    assert "n must be an integer" in _one_line_error(res, 2)


def test_unreadable_store_file(tmp_path):
    bad = tmp_path / "broken.json.gz"
    bad.write_bytes(b"this is not gzip")
    res = _run(["eval", "--env", str(bad), "--controller", "sc", "--seeds", "1"])
    assert str(bad) in _one_line_error(res, 1)


def test_unreadable_sweep_file(tmp_path):
    spec = tmp_path / "sweep.toml"
    spec.mkdir()  # a directory where a file is expected
    res = _run(["sweep", str(spec), "--out", str(tmp_path / "out")])
    assert res.exit_code in (1, 2) and "Traceback" not in res.output
    assert str(spec) in _one_line_error(res, res.exit_code)


def _run_dir(tmp_path: Path, meta: str) -> Path:
    run = tmp_path / "run"
    run.mkdir()
    (run / "run.json").write_text(meta)
    (run / "config.toml").write_text("")
    return run


def test_run_directory_from_another_version(tmp_path):
    run = _run_dir(tmp_path, json.dumps({"format": 99, "autotts_version": "9.9.9"}))
    line = _one_line_error(_run(["discover", "report", str(run)]), 1)
    assert "made by autotts 9.9.9" in line and "start a new run directory" in line


def test_damaged_run_json(tmp_path):
    run = _run_dir(tmp_path, "{not json")
    assert "not valid JSON" in _one_line_error(_run(["discover", "report", str(run)]), 1)


def test_unknown_store_name_is_bad_usage(tmp_path):
    res = _run(["eval", "--env", "Nope/none", "--controller", "sc", "--data", str(tmp_path)])
    assert "no store named" in _one_line_error(res, 2)



def test_describe_maps_os_errors_and_leaves_bugs_alone():
    import urllib.error

    from autotts.cli.errors import describe

    denied = PermissionError(13, "Permission denied", "/data/x.json.gz")
    assert describe(denied) == ("/data/x.json.gz: permission denied; check the path and its "
                                "permissions", 1)
    message, code = describe(urllib.error.URLError("[Errno -3] name resolution failed"))
    assert code == 1 and "name resolution failed" in message and "\n" not in message
    from concurrent.futures.process import BrokenProcessPool

    assert describe(BrokenProcessPool("gone"))[1] == 1
    assert describe(KeyError("a bug")) is None  # not an expected error: keeps its traceback
