"""Start-up stays light: the CLI imports heavy libraries only where a command needs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from autotts.cli.main import COMMANDS, cli, load_command

SRC = str(Path(__file__).resolve().parents[2] / "src")
HEAVY = ("scipy", "scipy.stats", "numba", "matplotlib", "torch", "ray", "httpx", "transformers")


def _modules_after(code: str) -> set[str]:
    """sys.modules of a fresh interpreter after running ``code`` (our src first on the path)."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    out = subprocess.run([sys.executable, "-c", code + "\nimport sys, json\n"
                          "print(json.dumps(sorted(sys.modules)))"],
                         capture_output=True, text=True, env=env, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("code", [
    "import autotts.cli.main",
    # --help and `controllers` run to completion without the numeric stack
    "from autotts.cli.main import cli\ntry:\n    cli(['--help'])\nexcept SystemExit:\n    pass",
    "from autotts.cli.main import cli\ntry:\n    cli(['controllers'])\n"
    "except SystemExit:\n    pass",
])
def test_light_commands_import_no_heavy_library(code):
    loaded = _modules_after(code)
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "numpy" not in loaded


def test_building_a_controller_does_not_import_scipy_stats():
    loaded = _modules_after("from autotts.controllers import make\nmake('cmc', beta=0.5)")
    assert "scipy.stats" not in loaded and "numpy" not in loaded


def test_evaluation_does_not_import_scipy_stats_or_the_report_stack():
    loaded = _modules_after("import autotts.evaluation.runner, autotts.cli.eval_cmd")
    assert not loaded & {"scipy.stats", "matplotlib", "torch", "ray", "httpx"}


def test_static_command_listing_matches_each_command():
    # The group's --help lists COMMANDS' short help without importing the commands;
    # it must read exactly as each command's own docstring would.
    for name, (_, _, short) in COMMANDS.items():
        cmd = load_command(name)
        assert cmd.name == name
        for limit in (45, 60, 200):
            assert (click.Command(name, help=short).get_short_help_str(limit)
                    == cmd.get_short_help_str(limit)), name


def test_every_listed_command_runs_its_help():
    res = CliRunner().invoke(cli, ["--help"])
    assert res.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in res.output
        sub = CliRunner().invoke(cli, [name, "--help"])
        assert sub.exit_code == 0 and "Usage" in sub.output, name


def test_one_progress_layout_for_counts_and_bytes():
    from rich.progress import DownloadColumn, MofNCompleteColumn

    from autotts.progress import make_progress

    counts = make_progress(fields=("rate",), enabled=False)
    assert any(isinstance(c, MofNCompleteColumn) for c in counts.columns)
    assert any(getattr(c, "text_format", "") == "{task.fields[rate]}" for c in counts.columns)
    sizes = make_progress(unit="bytes", enabled=False)
    assert any(isinstance(c, DownloadColumn) for c in sizes.columns)
    with pytest.raises(ValueError):
        make_progress(unit="seconds")


@pytest.mark.skipif(not Path(os.environ.get("AUTOTTS_DATA", "/nonexistent")).is_dir(),
                    reason="needs the replay stores ($AUTOTTS_DATA)")
def test_lean_numba_start_gives_the_same_numbers_without_scipy_linalg():
    # The CLI starts numba without scipy's BLAS; results must not change by a digit.
    from autotts.controllers.spec import ControllerSpec
    from autotts.data.catalog import resolve_data_dir, resolve_envs
    from autotts.evaluation.fast import numba_enabled
    from autotts.evaluation.runner import Cell, run_cells

    if not numba_enabled():
        pytest.skip("numba is not installed")
    (ref,) = resolve_envs(["Qwen3-8B/aime24"], resolve_data_dir(None))
    code = ("import sys, json\nfrom autotts.cli.main import main\n"
            "sys.argv = ['autotts', 'eval', '--env', 'Qwen3-8B/aime24', '--controller', 'cmc',"
            " '--set', 'beta=0.3,0.9', '--json', '--workers', '1']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(json.dumps('scipy.linalg' in sys.modules))")
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("AUTOTTS_LEAN_NUMBA", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         check=True).stdout.strip().splitlines()
    assert json.loads(out[-1]) is False  # scipy.linalg was never imported
    cli_rows = [json.loads(line) for line in out[:-1]]
    cells = [Cell(ref.name, str(ref.path), ControllerSpec("cmc", params={"beta": b}))
             for b in (0.3, 0.9)]
    here = [r.summary() for r in run_cells(cells, seeds=100, executor="serial")]
    assert cli_rows == json.loads(json.dumps(here))


def test_a_command_added_the_eager_way_is_listed_too():
    extra = click.Command("extra-cmd", help="An extra command added with add_command.")
    cli.add_command(extra)
    try:
        res = CliRunner().invoke(cli, ["--help"])
        assert "extra-cmd" in res.output and "An extra command" in res.output
    finally:
        cli.commands.pop("extra-cmd")
