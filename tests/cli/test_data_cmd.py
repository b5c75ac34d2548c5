"""Smoke tests of `autotts data pull|list|path` with click's CliRunner."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from autotts.cli.data_cmd import data_group
from autotts.cli.main import cli
from autotts.data.published import published_stores


def _tiny_store(root: Path, name: str, n_questions: int = 2) -> Path:
    path = root / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    q = {"question": "q", "gold_answer": "1", "probe_freq": 250,
         "each_branch": [[["1"], 300, "1"], [["2", "1"], 600, "1"], [[], 90, "3"]]}
    path.write_text(json.dumps([q] * n_questions))
    return path


def _run(*args: str, env: dict | None = None):
    # through the top-level group: its error handler turns errors into one line
    return CliRunner().invoke(cli, ["data", *args], env=env)


def _assert_one_line_error(result, *fragments: str, code: int = 2) -> None:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0]


def test_every_option_has_help():
    for command in data_group.commands.values():
        for param in command.params:
            assert getattr(param, "help", None), f"{command.name} {param.name} has no help"
    result = _run("pull", "--help")
    assert result.exit_code == 0 and "--base-url" in result.output


def test_path_follows_flag_then_env(tmp_path):
    result = _run("path", "--data", str(tmp_path / "a"), env={"AUTOTTS_DATA": str(tmp_path / "b")})
    assert result.output.strip() == str(tmp_path / "a")
    result = _run("path", env={"AUTOTTS_DATA": str(tmp_path / "b")})
    assert result.exit_code == 0 and result.output.strip() == str(tmp_path / "b")


def test_list_table_and_json(tmp_path):
    _tiny_store(tmp_path, "ModelA/setx", n_questions=2)
    _tiny_store(tmp_path, "ModelB/sety", n_questions=5)
    result = _run("list", "--data", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "ModelA" in result.output and "sety" in result.output and "2 stores in" in result.output
    rows = json.loads(_run("list", "--data", str(tmp_path), "--json").output)
    assert [(r["name"], r["questions"], r["branches"], r["delta"]) for r in rows] == [
        ("ModelA/setx", 2, 3, 250), ("ModelB/sety", 5, 3, 250)]
    assert rows[0]["size"] == (tmp_path / "ModelA" / "setx.json").stat().st_size


def test_list_empty_dir_and_bad_store(tmp_path):
    result = _run("list", "--data", str(tmp_path / "none"))
    assert result.exit_code == 0 and "No stores under" in result.output
    assert _run("list", "--data", str(tmp_path / "none"), "--json").output.strip() == "[]"
    bad = tmp_path / "M" / "broken.json"
    bad.parent.mkdir()
    bad.write_text('[{"question": "q"}]')
    # a broken data file is a failure (1), not bad usage (2)
    _assert_one_line_error(_run("list", "--data", str(tmp_path)), str(bad), "question 0",
                           "gold_answer", code=1)


def test_list_real_stores(data_dir):
    rows = json.loads(_run("list", "--data", str(data_dir), "--json").output)
    assert len(rows) == 12
    assert {(r["questions"], r["branches"], r["delta"]) for r in rows} == {(30, 128, 500)}


def test_pull_from_a_file_mirror_then_skip(tmp_path, data_dir):
    name = "Qwen3-1.7B/aime25"
    mirror = tmp_path / "mirror" / f"{name}.json"
    mirror.parent.mkdir(parents=True)
    mirror.write_bytes(gzip.decompress((data_dir / f"{name}.json.gz").read_bytes()))
    args = ["pull", "--data", str(tmp_path / "out"), "--base-url",
            (tmp_path / "mirror").as_uri(), "--only", name, "--no-progress"]
    result = _run(*args)
    assert result.exit_code == 0, result.output
    assert "1 stores verified" in result.output and "1 downloaded" in result.output
    out = tmp_path / "out" / f"{name}.json"
    assert hashlib.sha256(out.read_bytes()).hexdigest() == published_stores()[name].sha256
    again = _run(*args)
    assert again.exit_code == 0 and "1 already present" in again.output


def test_pull_errors_are_one_line_with_exit_code_2_for_usage_1_for_failures(tmp_path):
    _assert_one_line_error(_run("pull", "--data", str(tmp_path), "--only", "Qwen3-2B/x"),
                           "'Qwen3-2B/x' is not a published store")
    missing = (tmp_path / "empty-mirror").as_uri()
    _assert_one_line_error(
        _run("pull", "--data", str(tmp_path / "out"), "--base-url", missing,
             "--only", "Qwen3-8B/aime24", "--no-progress"),
        "Qwen3-8B/aime24.json", "no such file", code=1)
    assert not list((tmp_path / "out").rglob("*.json*"))
    result = _run("pull", "--retries", "-1")
    assert result.exit_code == 2 and "--retries" in result.output


def test_data_group_is_registered_on_the_main_command(tmp_path):
    from autotts.cli.main import cli

    result = CliRunner().invoke(cli, ["data", "path", "--data", str(tmp_path)])
    assert result.exit_code == 0 and result.output.strip() == str(tmp_path)
