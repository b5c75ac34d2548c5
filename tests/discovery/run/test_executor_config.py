"""``[run] executor`` and ``--executor``/``--ray-address``: written to and read
from config.toml, bad values refused, and a missing Ray is one clear line
before any round runs. (The Ray runs themselves: tests/discovery/test_ray_executor.py.)"""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from autotts.cli.discover_cmd import discover_group
from autotts.discovery.run.config import ConfigError
from autotts.discovery.run.config_file import config_from_dict, load_config
from autotts.evaluation.executors import RayExecutor, RayUnavailable


def _init(runner, tmp_path, synth_data, *extra):
    return runner.invoke(discover_group, [
        "init", str(tmp_path / "r"), "--data", str(synth_data), "--search", "ModelA/aime24",
        "--held-out", "ModelA/aime25", "--seeds", "2", "--rounds", "1", *extra])


def test_the_executor_options_reach_the_config(tmp_path, synth_data):
    runner = CliRunner()
    res = _init(runner, tmp_path, synth_data, "--executor", "ray",
                "--ray-address", "127.0.0.1:6379")
    assert res.exit_code == 0, res.output
    cfg = load_config(tmp_path / "r" / "config.toml")
    assert (cfg.run.executor, cfg.run.ray_address) == ("ray", "127.0.0.1:6379")
    bad = runner.invoke(discover_group, ["init", str(tmp_path / "r2"), "--executor", "dask"])
    assert bad.exit_code == 2 and "dask" in bad.output
    assert config_from_dict({}).run.executor == "local"  # the default: this machine
    with pytest.raises(ConfigError, match="executor must be one of local, ray"):
        config_from_dict({"run": {"executor": "threads"}}, "config.toml")


def test_without_ray_the_run_stops_with_one_line(tmp_path, synth_data, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    with pytest.raises(RayUnavailable, match=r"pip install 'autotts-scaling\[ray\]'"):
        RayExecutor()
    runner = CliRunner()
    assert _init(runner, tmp_path, synth_data, "--executor", "ray").exit_code == 0
    res = runner.invoke(discover_group, ["run", str(tmp_path / "r")])
    assert res.exit_code == 1
    assert "Error: the ray executor needs Ray: pip install 'autotts-scaling[ray]'" in res.output
    assert not (tmp_path / "r" / "rounds" / "r0001").exists()  # stopped before any round


def test_an_address_where_no_cluster_answers_is_one_line_at_once():
    import socket

    pytest.importorskip("ray", reason="needs the ray extra")
    with socket.socket() as s:  # a free port: bound here, nothing listens on it
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RayUnavailable, match=f"no Ray cluster answers at 127.0.0.1:{port}"):
        RayExecutor(address=f"127.0.0.1:{port}")
