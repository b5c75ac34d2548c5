"""``autotts reproduce table1``: the paper's Table 1, scaling curves and a report page."""

from __future__ import annotations

import importlib.util
import sys

import click

from autotts import install_hint
from autotts.cli.errors import CommandError
from autotts.cli.options import (
    data_option,
    default_workers,
    seeds_option,
    workers_option,
)


@click.group("reproduce")
def reproduce_group() -> None:
    """Reproduce the AutoTTS paper's results from the replay stores."""


@reproduce_group.command("table1")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Output directory (tables, PNGs, report.html, report.md, raw results). "
                   "Rerunning into it resumes a killed run.")
@seeds_option
@workers_option
@data_option
@click.option("--no-curves", "no_curves", is_flag=True,
              help="Only the 72 Table-1 cells: skip the scaling-curve sweeps and the PNGs.")
@click.option("--stores", "stores", multiple=True, hidden=True,
              help="Restrict to these stores (repeatable; for quick checks and tests).")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar [default: when stderr is a terminal].")
def table1_command(out_dir, seeds, workers, data, no_curves, stores, progress):
    """Table 1 (SC@64, ASC, ESC, Parallel-Probe, CMC beta 0.5 and 1.0 on the 12 stores).

    Writes table1.md and table1.csv (ours beside the paper's printed values,
    with differences; the 7 cells where the authors' released code differs
    are marked and use the released value as target), the held-out means,
    scaling curves as PNG (accuracy vs tokens, log axis; one panel per store
    and the held-out mean) and report.html / report.md (report.html also
    holds the curves as interactive Plotly charts with the [viewer] extra). Downloads the
    published stores first if none are found. The full run evaluates 432
    cells with 100 seeds (about 1.5 minutes on 2 busy cores); --no-curves runs
    only the 72 Table-1 cells.

    With the curves, a separate "beyond the paper" part (OUT/beyond/, its own
    sweep, table and figure, after Table 1 in the report; Table 1 itself is
    unchanged) runs short-m@k, Answer Consistency and ST-BoN on the held-out
    stores and states each one's accuracy difference to the best-baseline
    envelope at matched tokens, with a bootstrap interval (200 more cells,
    about 6.5 more minutes on 2 busy cores: Answer Consistency and ST-BoN run
    the protocol loop, having no fast path).

    Example: autotts reproduce table1 --out runs/table1
    """
    from autotts.data.catalog import PUBLISHED
    from autotts.evaluation.reproduce import run_reproduce

    if not no_curves and importlib.util.find_spec("matplotlib") is None:
        raise CommandError(f"the scaling curves need matplotlib: {install_hint('plot')}, "
                           "or pass --no-curves for the tables only", 2)
    show = sys.stderr.isatty() if progress is None else progress
    # Catalogue, store and download errors become one line in autotts.cli.errors.
    outcome = run_reproduce(out_dir, stores=list(stores) or PUBLISHED, seeds=seeds,
                            workers=default_workers(workers), data=data,
                            curves=not no_curves, progress=show)
    click.echo(outcome.markdown)
    sweep = outcome.sweep
    click.echo(f"{len(sweep.rows)} cells ({sweep.ran} evaluated now, {sweep.skipped} reused) "
               f"in {sweep.seconds:.1f} s. Report: {outcome.files['report.html']}")
    if "beyond.md" in outcome.files:
        click.echo(f"Beyond the paper (short-m@k, Answer Consistency, ST-BoN, best-baseline "
                   f"envelope): {outcome.files['beyond.md']}")
