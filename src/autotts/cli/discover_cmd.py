"""``autotts discover``: the discovery loop (init, run, resume, next, submit, full, report)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from autotts.discovery.proposers import ProposerError, make_proposer
from autotts.discovery.proposers.manual import AwaitingSubmission, ManualProposer
from autotts.discovery.run.config import (
    ISOLATION_MODES,
    RUN_EXECUTORS,
    ConfigError,
    RunConfig,
    cli_fields,
)
from autotts.discovery.run.files import RunError, read_json
from autotts.evaluation.executors import RayUnavailable
from autotts.keyvalue import parse_pairs

run_arg = click.argument("run_dir", metavar="RUN", type=click.Path(file_okay=False, path_type=Path))


def _fail(exc: Exception) -> None:
    """One line and the CLI's exit code for an expected error (2 bad input, 1 failure)."""
    from autotts.cli.errors import CommandError, describe

    found = describe(exc)
    if found is None:
        raise exc
    raise CommandError(*found) from None


CHOICES = {"isolation": ISOLATION_MODES, "executor": RUN_EXECUTORS}


def _option(flat: str, f):
    """The click option of one config field (type, default and help from the field)."""
    name, text, default = f.metadata["cli"], f.metadata["help"], f.default
    if isinstance(default, bool):  # offered as an off-switch, e.g. --no-contract
        return click.option(name, flat, is_flag=True, help=text)
    if flat == "betas":
        return click.option(name, flat, default=None, help=text)
    if isinstance(default, tuple) or flat == "proposer_settings":
        metavar = "KEY=VALUE" if flat == "proposer_settings" else None
        return click.option(name, flat, multiple=True, metavar=metavar, help=text)
    if isinstance(default, int):
        return click.option(name, flat, type=click.IntRange(min=0), default=None, help=text)
    if flat in CHOICES:
        return click.option(name, flat, type=click.Choice(CHOICES[flat]), default=None,
                            help=text)
    if flat == "seed_dir":
        return click.option(name, flat, default=None, help=text,
                            type=click.Path(file_okay=False, exists=True))
    return click.option(name, flat, type=type(default), default=None, help=text)


def init_options(fn):
    """Decorator: the options that shape a new run, one per config field that
    names a CLI option (discovery/run/config.py), shared by the group and ``init``."""
    for _section, flat, f in reversed(cli_fields()):
        fn = _option(flat, f)(fn)
    return fn


def _config(options: dict, **extra) -> RunConfig:
    """The RunConfig of the options given (unset ones keep their defaults)."""
    kw = dict(extra)
    for _section, flat, f in cli_fields():
        value = options.get(flat)
        if value is None or value == () or value is False:
            continue
        if isinstance(f.default, bool):
            kw[flat] = not f.default
        elif flat == "betas":
            kw[flat] = tuple(float(b) for b in value.split(","))
        elif flat == "proposer_settings":
            kw[flat] = parse_pairs(value, option="--set", lists=True)
        elif flat == "seed_dir":
            kw[flat] = str(Path(value).resolve())
        else:
            kw[flat] = tuple(value) if isinstance(value, tuple) else value
    return RunConfig(**{k: v for k, v in kw.items() if v is not None})


def _open(run_dir: Path):
    from autotts.discovery.run.directory import open_run
    try:
        return open_run(run_dir)
    except (RunError, ConfigError) as exc:
        _fail(exc)


def _drive(run_dir: Path, proposer=None, max_new=None, finish: bool = True) -> None:
    from autotts.discovery.loop import main
    run = _open(run_dir)
    try:
        proposer = proposer or make_proposer(run.cfg.proposer.name, run.cfg.proposer.settings)
        _say_isolation(run.sandbox().isolation.describe())
        report = main(run, proposer, max_new=max_new, finish=finish, say=click.echo)
    except AwaitingSubmission as exc:
        click.echo(str(exc).replace("RUN", str(run_dir)))
        return
    except (RunError, ProposerError, ValueError, FileNotFoundError, RuntimeError) as exc:
        _fail(exc)  # incl. SandboxUnavailable (preflight) and IsolationUnavailable (strict)
    if report is not None:
        click.echo(f"report: {report}")
    elif not finish and _open(run_dir).meta.get("status") == "searched":
        click.echo(f"all rounds done; write the report with `autotts discover report {run_dir}`")
    _all_failed(_open(run_dir))


def _say_isolation(iso: dict) -> None:
    click.echo(f"sandbox: {iso.get('mode')}", err=True)
    if iso.get("warning"):
        click.echo(f"WEAK SANDBOX ({iso.get('mode')}): {iso['warning']}", err=True)


def _all_failed(run) -> None:
    """Exit non-zero when rounds ran and every one of them failed."""
    from autotts.discovery.round.state import round_states
    done = [s for s in round_states(run) if s["phase"] == "done"]
    if done and all(s.get("status") == "failed" for s in done):
        raise click.ClickException(f"every round ({len(done)}) failed; see "
                                   f"{run.dir}/rounds/*/error.txt")


@click.group("discover", invoke_without_command=True)
@click.option("--budget-minutes", type=float, default=None,
              help="One-shot: init a run in --run-dir, run it within this wall time, report.")
@click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Run directory for the one-shot mode (default runs/discover-<time>).")
@init_options
@click.pass_context
def discover_group(ctx, budget_minutes, run_dir, **options) -> None:
    """Discover test-time scaling controllers with a coding agent (or the built-in search)."""
    if ctx.invoked_subcommand is not None:
        return
    if budget_minutes is None:
        click.echo(ctx.get_help())
        return
    from autotts.data.catalog import resolve_data_dir
    from autotts.data.published import ensure_data
    from autotts.discovery.run.directory import init_run

    run_dir = run_dir or Path("runs") / time.strftime("discover-%Y%m%d-%H%M%S")
    ensure_data(resolve_data_dir(options.get("data") or None))  # fetch the stores if none
    try:
        cfg = _config(options, wall_minutes=budget_minutes)
        init_run(run_dir, cfg)
    except (ConfigError, RunError, ValueError) as exc:
        _fail(exc)
    click.echo(f"run directory: {run_dir}")
    _drive(run_dir)


@discover_group.command("init")
@run_arg
@init_options
def init_cmd(run_dir, **options) -> None:
    """Create a run directory: config.toml and the agent workspace."""
    from autotts.discovery.run.directory import init_run
    try:
        cfg = _config(options)
        run = init_run(run_dir, cfg)
    except (ConfigError, RunError, ValueError) as exc:
        _fail(exc)
    click.echo(f"initialised run {run.meta['id']} in {run_dir}; edit {run_dir / 'config.toml'} "
               f"if needed, then `autotts discover run {run_dir}`")


@discover_group.command("run")
@run_arg
def run_cmd(run_dir) -> None:
    """Run the rounds (resuming unfinished ones), then select, evaluate held-out, report."""
    _drive(run_dir)


@discover_group.command("resume")
@run_arg
def resume_cmd(run_dir) -> None:
    """Continue a run after an interruption (same as run; finished rounds are kept)."""
    _drive(run_dir)


@discover_group.command("next")
@run_arg
def next_cmd(run_dir) -> None:
    """Manual proposer: prepare the next round's workspace and exit."""
    _drive(run_dir, ManualProposer(submit=False), max_new=1, finish=False)


@discover_group.command("submit")
@run_arg
def submit_cmd(run_dir) -> None:
    """Manual proposer: validate, evaluate and archive workspace/candidate.py as this round,
    then refresh workspace/history and print the round's mean search curve."""
    _drive(run_dir, ManualProposer(submit=True), max_new=1, finish=False)
    _show_latest(run_dir)


def _show_latest(run_dir: Path) -> None:
    """Mirror the just-archived round into the workspace history (the agent sees it
    without another `next`) and echo its mean curve over the search stores."""
    from autotts.discovery.round.state import round_states
    from autotts.discovery.workspace.agent_files import refresh_history
    from autotts.discovery.workspace.history_views import curve_line
    run = _open(run_dir)
    done = [s for s in round_states(run) if s["phase"] == "done"]
    if not done:
        return
    refresh_history(run.workspace, run.dir, run.cfg, done)
    last = done[-1]["round"]
    results = read_json(run.dir / "rounds" / f"r{last:04d}" / "results.json") or {}
    if results.get("cells"):
        click.echo(f"round {last} mean search curve (beta: accuracy @ tokens): "
                   f"{curve_line(results['cells'])}")


@discover_group.command("report")
@run_arg
@click.option("--compare", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Another run (e.g. an ablation) to compare the picks with.")
def report_cmd(run_dir, compare) -> None:
    """Select, evaluate the picks on held-out (once), write RUN/report.md and RUN/report.html."""
    from autotts.discovery.run.progress import Phases
    from autotts.discovery.selection.heldout import finalize
    from autotts.discovery.selection.report import write_report
    run = _open(run_dir)
    try:
        sel = read_json(run.dir / "final" / "selection.json")
        if sel is None or run.meta.get("status") != "finished":
            finalize(run, phases=Phases(click.echo))
        path = write_report(run, _open(compare) if compare else None)
    except (RunError, ValueError, RayUnavailable) as exc:
        _fail(exc)
    click.echo(f"report: {path}")


@discover_group.command("full")
@run_arg
@click.option("--round", "round_n", type=click.IntRange(min=1), required=True,
              help="The round to re-evaluate on the search split with all seeds.")
def full_cmd(run_dir, round_n) -> None:
    """Screening mode: re-evaluate one round with all seeds (into results_full.json)."""
    from autotts.discovery.run.files import load_round_state
    from autotts.discovery.run.lock import RunLock
    from autotts.discovery.selection.few_seed import full_evaluate
    run = _open(run_dir)
    st = load_round_state(run.dir, round_n)
    if st is None or st.get("phase") != "done":
        _fail(RunError(f"{run_dir}: round {round_n} does not exist or is not finished"))
    if not st.get("screened"):
        click.echo(f"round {round_n} was evaluated on all {st.get('seeds', run.cfg.seeds)} "
                   "seeds already; nothing to do")
        return
    try:
        with RunLock(run.dir):
            full = full_evaluate(run, st)["full"]
    except (RunError, ValueError, RayUnavailable) as exc:
        _fail(exc)
    line = f"round {round_n}, {full['seeds']} seeds: {full['status']}"
    if full.get("score"):
        line += (f" (best search acc {full['score']['best_accuracy']:.2f}, screened "
                 f"{st['score']['best_accuracy']:.2f}; area {full['score']['area']:.2f})")
    click.echo(line + (f" - {full['error'].splitlines()[0][:160]}" if full.get("error") else ""))
