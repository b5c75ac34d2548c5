"""Options and value parsing shared by several subcommands."""

from __future__ import annotations

import os

import click

data_option = click.option(
    "--data", "data", type=click.Path(file_okay=False), default=None,
    help="Directory holding <Model>/<dataset>.json[.gz] stores. Default: $AUTOTTS_DATA, "
         "else the user cache filled by `autotts data pull`.")
seeds_option = click.option(
    "--seeds", type=click.IntRange(min=1), default=100, show_default=True,
    help="Number of shuffle seeds (0..N-1); the paper uses 100.")
workers_option = click.option(
    "--workers", type=click.IntRange(min=1), default=None,
    help="Worker processes (default: number of CPU cores).")
env_option = click.option(
    "--env", "envs", multiple=True, default=("search",), show_default=True,
    help="Store MODEL/DATASET (repeatable), or a group: all, search (the 4 aime24 stores), "
         "held-out (aime25 + hmmt25).")


def default_workers(workers: int | None) -> int:
    """The worker count to use: ``workers`` if given, else the CPU count (at least 1)."""
    return workers or os.cpu_count() or 1
