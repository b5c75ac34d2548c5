"""Options and value parsing shared by several subcommands."""

from __future__ import annotations

import itertools
import os
from typing import Any

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
    return workers or os.cpu_count() or 1


def parse_value(text: str) -> Any:
    """'3' -> 3, '0.5' -> 0.5, 'true'/'false' -> bool, 'none' -> None, else the string."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    return text.strip()


def parse_grid(settings: tuple[str, ...]) -> list[dict[str, Any]]:
    """``("beta=0,0.5", "n=8")`` -> the cartesian grid of parameter dicts."""
    axes: list[tuple[str, list[Any]]] = []
    for item in settings:
        key, sep, values = item.partition("=")
        key = key.strip()
        if not sep or not key or not values.strip():
            raise click.BadParameter(f"expected key=v1,v2,... got {item!r}", param_hint="--set")
        axes.append((key, [parse_value(v) for v in values.split(",")]))
    keys = [k for k, _ in axes]
    if len(set(keys)) != len(keys):
        raise click.BadParameter("a key is given twice", param_hint="--set")
    return [dict(zip(keys, combo)) for combo in itertools.product(*(v for _, v in axes))]


def parse_controller_spec(text: str):
    """``id`` or ``id:k=v,k=v`` -> (id, params)."""
    cid, _, rest = text.partition(":")
    params: dict[str, Any] = {}
    if rest:
        for item in rest.split(","):
            k, sep, v = item.partition("=")
            if not sep:
                raise click.BadParameter(f"expected id:key=value,... got {text!r}")
            params[k.strip()] = parse_value(v)
    return cid.strip(), params
