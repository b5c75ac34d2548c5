"""``autotts eval``: evaluate controllers on replay stores with the paper's protocol."""

from __future__ import annotations

import json
import sys

import click

from autotts.cli.options import (
    data_option,
    default_workers,
    env_option,
    seeds_option,
    workers_option,
)
from autotts.controllers.spec import ControllerSpec
from autotts.evaluation.runner import Cell, run_cells
from autotts.keyvalue import parse_grid


@click.command("eval")
@env_option
@click.option("--controller", "controller_id", default=None,
              help="Registered controller id (see `autotts controllers`).")
@click.option("--controller-file", default=None,
              help="PATH.py[:ClassName]: a controller class in a file; either our API "
                   "(subclass of autotts Controller) or the authors' question API.")
@click.option("--set", "settings", multiple=True, metavar="KEY=V1,V2,...",
              help="Controller parameter values (repeatable); several keys sweep their "
                   "cartesian grid.")
@seeds_option
@data_option
@workers_option
@click.option("--executor", type=click.Choice(["process", "serial", "ray"]), default="process",
              show_default=True,
              help="Where cells run: local worker processes, this process, or Ray (extra "
                   "[ray]; joins $RAY_ADDRESS or starts a local instance).")
@click.option("--kappa-probe", type=float, default=0.0, show_default=True,
              help="Token cost of an explicit PROBE; 0 reveals probes with every step, as in "
                   "the data.")
@click.option("--traces", "traces_path", type=click.Path(dir_okay=False), default=None,
              help="Write compact execution traces (one JSON line per episode) to this file.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object per line per (store, parameter set).")
def eval_command(envs, controller_id, controller_file, settings, seeds, data, workers, executor,
                 kappa_probe, traces_path, as_json):
    """Evaluate a controller on replay stores: accuracy (%) and average tokens per question.

    Example: autotts eval --env held-out --controller cmc --set beta=0.5,1.0
    """
    from autotts.data.catalog import resolve_data_dir, resolve_envs

    if (controller_id is None) == (controller_file is None):
        raise click.UsageError("give exactly one of --controller or --controller-file")
    grid = parse_grid(settings) or [{}]
    specs = [ControllerSpec(id=controller_id, file=controller_file, params=p) for p in grid]
    for spec in specs:  # fail fast on bad ids or parameters, before any work
        try:
            spec.build()
        except (KeyError, TypeError, ValueError, AttributeError, FileNotFoundError,
                SyntaxError) as exc:
            raise click.UsageError(str(exc).strip('"')) from None
    refs = resolve_envs(list(envs), resolve_data_dir(data))
    cells = [Cell(ref.name, str(ref.path), spec) for ref in refs for spec in specs]
    results = None
    if controller_file and traces_path is None and kappa_probe == 0:
        results = _generated_design(controller_file, refs, specs, seeds)
    if results is None:
        results = run_cells(cells, seeds=seeds, workers=default_workers(workers),
                            traces=traces_path is not None, kappa_probe=kappa_probe,
                            progress=not as_json and sys.stderr.isatty(), executor=executor)
    if traces_path:
        _write_traces(traces_path, results)
    if as_json:
        for r in results:
            click.echo(json.dumps(r.summary()))
    else:
        _print_table(results)


def _generated_design(controller_file: str, refs, specs, seeds):
    """Results from the compiled design kernel when the file is byte-identical to a
    design the search generated (``AUTOTTS_NO_FAST=1``: never); else None."""
    from autotts.discovery.proposers.search.compiled import protocol_results
    from autotts.evaluation.runner import cached_store

    seed_list = list(range(seeds)) if isinstance(seeds, int) else list(seeds)
    stores = [cached_store(str(ref.path), ref.name) for ref in refs]
    return protocol_results(controller_file, stores, specs, seed_list)


def _write_traces(path: str, results) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in results:
            for row in r.traces or []:
                fh.write(json.dumps({"env": r.env, "controller": r.controller,
                                     "params": r.params, **row}) + "\n")


def _print_table(results) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"seeds: {len(results[0].seeds)}" if results else None)
    for col in ("store", "controller", "params", "accuracy %", "± sd", "tokens (k)"):
        table.add_column(col, justify="right" if col[0] in "a±t" else "left")
    for r in results:
        summ = r.summary()
        params = ", ".join(f"{k}={v}" for k, v in r.params.items()) or "defaults"
        table.add_row(r.env, r.controller, params, f"{r.accuracy:.2f}",
                      f"{summ['accuracy_std']:.2f}", f"{r.tokens / 1000:.1f}")
    # Wide when piped, so rows are never wrapped in logs.
    Console(width=None if sys.stdout.isatty() else 160).print(table)
