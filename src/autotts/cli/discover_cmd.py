"""``autotts discover``: the discovery loop (init, run, resume, next, submit, full, report)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from autotts.cli.options import parse_value
from autotts.discovery.config import ConfigError, RunConfig
from autotts.discovery.proposers import ProposerError, make_proposer
from autotts.discovery.proposers.manual import AwaitingSubmission, ManualProposer
from autotts.discovery.state import RunError, read_json

run_arg = click.argument("run_dir", metavar="RUN", type=click.Path(file_okay=False, path_type=Path))


def _fail(exc: Exception) -> None:
    raise click.ClickException(str(exc))


def _settings(items: tuple[str, ...]) -> dict:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"expected key=value, got {item!r}", param_hint="--set")
        out[key.strip()] = [parse_value(v) for v in value.split(",")] if "," in value \
            else parse_value(value)
    return out


def _config(proposer, rounds, seeds, betas, search, held_out, data, seed_dir, no_traces,
            no_contract, sets, wall_minutes=None, workers=None, screen_seeds=None,
            screen_topk=None) -> RunConfig:
    kw = {"proposer": proposer, "rounds": rounds, "seeds": seeds, "data": data,
          "screen_seeds": screen_seeds, "screen_topk": screen_topk,
          "seed_dir": str(Path(seed_dir).resolve()) if seed_dir else None,
          "search": tuple(search) or None, "held_out": tuple(held_out) or None,
          "wall_minutes": wall_minutes, "workers": workers}
    if betas:
        kw["betas"] = tuple(float(b) for b in betas.split(","))
    if no_traces:
        kw["history_traces"] = False
    if no_contract:
        kw["beta_contract"] = False
    if sets:
        kw["proposer_settings"] = _settings(sets)
    return RunConfig(**{k: v for k, v in kw.items() if v is not None})


def init_options(fn):
    opts = [
        click.option("--proposer", default=None, help="Proposer: search (default), command, "
                     "claude-sdk, openai or manual."),
        click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                     help="A proposer setting (repeatable), e.g. --set model=qwen2.5-coder."),
        click.option("--rounds", type=click.IntRange(min=0), default=None,
                     help="Proposer rounds (default 5)."),
        click.option("--seeds", type=click.IntRange(min=1), default=None,
                     help="Shuffle seeds per evaluation (default 100, as the paper)."),
        click.option("--screen-seeds", "screen_seeds", type=click.IntRange(min=0), default=None,
                     help="Screening mode: evaluate each round on this many seeds only and "
                     "re-run the best rounds on all --seeds before selection (default 0 = off)."),
        click.option("--screen-topk", "screen_topk", type=click.IntRange(min=1), default=None,
                     help="Screening mode: re-run the top K rounds by screened accuracy and the "
                     "top K by screened frontier area in full (default 3)."),
        click.option("--betas", default=None, help="Beta grid, comma-separated "
                     "(default 0,0.1,...,1)."),
        click.option("--search", multiple=True, help="Search store(s): MODEL/DATASET, a glob or "
                     "'search' (default: the four aime24 stores)."),
        click.option("--held-out", "held_out", multiple=True, help="Held-out store(s) "
                     "(default: 'held-out' = aime25 + hmmt25)."),
        click.option("--data", default=None, help="Store directory (default $AUTOTTS_DATA, "
                     "else the user cache)."),
        click.option("--seed-dir", default=None, type=click.Path(file_okay=False, exists=True),
                     help="Folder of earlier controller files, each evaluated as a round first."),
        click.option("--no-traces", is_flag=True, help="Ablation: history without execution "
                     "traces (curves only)."),
        click.option("--no-contract", is_flag=True, help="Ablation: no single-beta contract; "
                     "candidates list free SETTINGS tuned on the search split."),
    ]
    for opt in reversed(opts):
        fn = opt(fn)
    return fn


def _open(run_dir: Path):
    from autotts.discovery.rundir import open_run
    try:
        return open_run(run_dir)
    except (RunError, ConfigError) as exc:
        _fail(exc)


def _finish(run) -> Path:
    from autotts.discovery.report import write_report
    from autotts.discovery.select import finalize
    finalize(run)
    return write_report(run)


def _echo_round(st: dict) -> None:
    score = st.get("score") or {}
    line = f"round {st['round']}: {st['status']}"
    if score:
        line += f" (best search acc {score['best_accuracy']:.2f}, area {score['area']:.2f})"
    if st.get("error"):
        line += f" - {st['error'].strip().splitlines()[0][:160]}"
    click.echo(line)


def _drive(run_dir: Path, proposer=None, max_new=None, finish: bool = True) -> None:
    from autotts.discovery.loop import run_loop
    run = _open(run_dir)
    try:
        proposer = proposer or make_proposer(run.cfg.proposer, run.cfg.proposer_settings)
        run_loop(run, proposer, max_new=max_new, on_round=_echo_round)
    except AwaitingSubmission as exc:
        click.echo(str(exc).replace("RUN", str(run_dir)))
        return
    except (RunError, ProposerError, ValueError, FileNotFoundError) as exc:
        _fail(exc)
    run = _open(run_dir)
    if run.meta.get("stopped"):
        click.echo(f"stopped: {run.meta['stopped']}")
    if run.meta.get("status") in ("searched", "finished") or run.meta.get("stopped"):
        if finish:
            click.echo(f"report: {_finish(run)}")
        else:
            click.echo(f"all rounds done; write the report with `autotts discover report {run_dir}`")


@click.group("discover", invoke_without_command=True)
@click.option("--budget-minutes", type=float, default=None,
              help="One-shot: init a run in --run-dir, run it within this wall time, report.")
@click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Run directory for the one-shot mode (default runs/discover-<time>).")
@init_options
@click.pass_context
def discover_group(ctx, budget_minutes, run_dir, proposer, sets, rounds, seeds, screen_seeds,
                   screen_topk, betas, search, held_out, data, seed_dir, no_traces,
                   no_contract) -> None:
    """Discover test-time scaling controllers with a coding agent (or the built-in search)."""
    if ctx.invoked_subcommand is not None:
        return
    if budget_minutes is None:
        click.echo(ctx.get_help())
        return
    from autotts.discovery.rundir import init_run
    from autotts.env.catalog import resolve_data_dir
    from autotts.env.download import ensure_data

    run_dir = run_dir or Path("runs") / time.strftime("discover-%Y%m%d-%H%M%S")
    ensure_data(resolve_data_dir(data or None))  # the one-shot job fetches the stores if none
    try:
        cfg = _config(proposer, rounds, seeds, betas, search, held_out, data, seed_dir, no_traces,
                      no_contract, sets, wall_minutes=budget_minutes,
                      screen_seeds=screen_seeds, screen_topk=screen_topk)
        init_run(run_dir, cfg)
    except (ConfigError, RunError, ValueError) as exc:
        _fail(exc)
    click.echo(f"run directory: {run_dir}")
    _drive(run_dir)


@discover_group.command("init")
@run_arg
@init_options
def init_cmd(run_dir, proposer, sets, rounds, seeds, screen_seeds, screen_topk, betas, search,
             held_out, data, seed_dir, no_traces, no_contract) -> None:
    """Create a run directory: config.toml and the agent workspace."""
    from autotts.discovery.rundir import init_run
    try:
        cfg = _config(proposer, rounds, seeds, betas, search, held_out, data, seed_dir,
                      no_traces, no_contract, sets, screen_seeds=screen_seeds,
                      screen_topk=screen_topk)
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
    from autotts.discovery.history_views import curve_line
    from autotts.discovery.loop import round_states
    from autotts.discovery.workspace import refresh_history
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
    """Select, evaluate the picks on held-out (once), and write RUN/report.md."""
    from autotts.discovery.report import write_report
    from autotts.discovery.select import finalize
    run = _open(run_dir)
    try:
        sel = read_json(run.dir / "final" / "selection.json")
        if sel is None or run.meta.get("status") != "finished":
            finalize(run)
        path = write_report(run, _open(compare) if compare else None)
    except (RunError, ValueError) as exc:
        _fail(exc)
    click.echo(f"report: {path}")


@discover_group.command("full")
@run_arg
@click.option("--round", "round_n", type=click.IntRange(min=1), required=True,
              help="The round to re-evaluate on the search split with all seeds.")
def full_cmd(run_dir, round_n) -> None:
    """Screening mode: re-evaluate one round with all seeds (into results_full.json)."""
    from autotts.discovery.screening import full_evaluate
    from autotts.discovery.state import RunLock, load_round_state
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
    except (RunError, ValueError) as exc:
        _fail(exc)
    line = f"round {round_n}, {full['seeds']} seeds: {full['status']}"
    if full.get("score"):
        line += (f" (best search acc {full['score']['best_accuracy']:.2f}, screened "
                 f"{st['score']['best_accuracy']:.2f}; area {full['score']['area']:.2f})")
    click.echo(line + (f" - {full['error'].splitlines()[0][:160]}" if full.get("error") else ""))
