"""``autotts data``: download, list and locate the replay stores."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from autotts.cli.errors import CommandError
from autotts.data import catalog
from autotts.data.published import BASE_URL_ENV, pull

DATA_HELP = (f"Directory of <Model>/<dataset>.json[.gz] stores "
             f"[default: ${catalog.DATA_ENV}, else the user cache directory].")


def _human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n} B"  # unreachable; keeps type checkers content


@click.group("data")
def data_group() -> None:
    """Download, list and locate the replay stores."""


@data_group.command("pull")
@click.option("--data", "data_dir", metavar="DIR", help=DATA_HELP)
@click.option("--base-url", metavar="URL",
              help=f"Where to download <Model>/<dataset>.json from [default: ${BASE_URL_ENV}, "
                   "else the authors' repository at the pinned commit]. file:// URLs work too.")
@click.option("--only", "only", metavar="MODEL/DATASET", multiple=True,
              help="Pull only this store (repeatable); also accepts all, search, held-out.")
@click.option("--retries", type=click.IntRange(0, 20), default=4, show_default=True,
              help="Extra tries per file after a connection error or 5xx answer.")
@click.option("--progress/--no-progress", default=True, show_default=True,
              help="Show a progress bar while downloading.")
def pull_command(data_dir: str | None, base_url: str | None, only: tuple[str, ...],
                 retries: int, progress: bool) -> None:
    """Download the published replay stores and check their SHA-256 digests.

    Files already present with the right digest are skipped; a broken
    transfer is resumed on the next pull.
    """
    root = catalog.resolve_data_dir(data_dir)
    console = Console(stderr=True)
    try:  # download errors become one line in autotts.cli.errors
        results = pull(root, list(only) or None, base_url=base_url, retries=retries,
                       console=console, progress=progress)
    except OSError as exc:
        raise CommandError(f"cannot write under {root}: {exc}") from None
    for r in results:
        click.echo(f"{r.status:<10} {r.name:<20} {r.path}")
    fetched = sum(r.status != "present" for r in results)
    click.echo(f"{len(results)} stores verified in {root} ({fetched} downloaded, "
               f"{len(results) - fetched} already present)")


def _describe(ref: catalog.StoreRef) -> dict:
    store = catalog.load(ref)
    return {"name": ref.name, "model": ref.model, "dataset": ref.dataset, "path": str(ref.path),
            "questions": len(store), "branches": store.n_branches, "delta": store.delta,
            "size": ref.size}


def _table(rows: list[dict]) -> Table:
    table = Table(title=None)
    for col, justify in (("model", "left"), ("dataset", "left"), ("questions", "right"),
                         ("branches", "right"), ("Δ", "right"), ("size", "right")):
        table.add_column(col, justify=justify)
    for row in rows:
        table.add_row(row["model"], row["dataset"], str(row["questions"]), str(row["branches"]),
                      str(row["delta"]), _human_size(row["size"]))
    return table


@data_group.command("list")
@click.option("--data", "data_dir", metavar="DIR", help=DATA_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def list_command(data_dir: str | None, as_json: bool) -> None:
    """List the stores found: model, dataset, questions, branches, Δ and file size."""
    root = catalog.resolve_data_dir(data_dir)
    refs = catalog.find_stores(root)
    rows = [_describe(ref) for ref in refs]  # a broken store is one line (autotts.cli.errors)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"No stores under {root}. Run `autotts data pull` or pass --data DIR.", err=True)
        return
    Console().print(_table(rows))
    click.echo(f"{len(rows)} stores in {root}")


@data_group.command("path")
@click.option("--data", "data_dir", metavar="DIR", help=DATA_HELP)
def path_command(data_dir: str | None) -> None:
    """Print the data directory that the other commands would use."""
    click.echo(str(catalog.resolve_data_dir(data_dir)))
