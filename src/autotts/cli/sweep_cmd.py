"""``autotts sweep``: run a TOML sweep file into a results directory (resumable)."""

from __future__ import annotations

import sys

import click

from autotts.cli.options import data_option, default_workers, workers_option

MAX_PRINTED_ROWS = 120


@click.command("sweep")
@click.argument("sweep_file", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Results directory: results.csv, results.jsonl, manifest.json (and traces/). "
                   "Rerunning into the same directory skips the cells already done.")
@workers_option
@click.option("--traces", is_flag=True,
              help="Also write execution traces, one JSONL file per cell under OUT/traces/.")
@data_option
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar [default: when stderr is a terminal].")
def sweep_command(sweep_file, out_dir, workers, traces, data, progress):
    """Run every (store, controller, parameter set) cell of a sweep FILE.

    FILE is TOML: `seeds` (a count or a list), `stores` (names such as
    "search", "held-out", "Qwen3-8B/aime25") and `[[controller]]` tables with
    `id` or `file`, an optional `label`, fixed `params` and a `[controller.grid]`
    of parameter lists (swept as a cartesian grid). See examples/*.toml.

    Writes one row per cell: accuracy (%), tokens per question, per-seed
    standard deviations and a 95% bootstrap interval over questions.

    Example: autotts sweep examples/cmc_beta.toml --out runs/cmc
    """
    from autotts.evaluation.sweep import run_sweep
    from autotts.evaluation.sweep_spec import load_sweep

    # Spec, store and catalogue errors become one line in autotts.cli.errors.
    spec = load_sweep(sweep_file)
    outcome = run_sweep(spec, out_dir, data=data, workers=default_workers(workers),
                        traces=traces, progress=sys.stderr.isatty() if progress is None
                        else progress)
    click.echo(f"{len(outcome.rows)} cells in {out_dir} ({outcome.ran} run now, "
               f"{outcome.skipped} already done) in {outcome.seconds:.1f} s")
    if len(outcome.rows) <= MAX_PRINTED_ROWS:
        _print_rows(outcome.rows)
    else:
        click.echo(f"(table not printed: more than {MAX_PRINTED_ROWS} rows; see "
                   f"{out_dir}/results.csv)")


def _print_rows(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for col in ("store", "controller", "params", "accuracy %", "95% CI", "± sd (seeds)",
                "tokens (k)"):
        table.add_column(col, justify="left" if col in ("store", "controller", "params")
                         else "right")
    for r in rows:
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items()) or "defaults"
        table.add_row(r["env"], r["controller"], params, f"{r['accuracy']:.2f}",
                      f"{r['ci95_low']:.1f}-{r['ci95_high']:.1f}", f"{r['accuracy_std']:.2f}",
                      f"{r['tokens'] / 1000:.1f}")
    Console().print(table)
