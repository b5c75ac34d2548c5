"""Sweep files (TOML): which stores, which seeds, which controllers over which knobs.

::

    seeds = 100                       # seeds 0..99, or a list such as [0, 1, 2]
    stores = ["search", "Qwen3-8B/aime25"]

    [[controller]]
    id = "cmc"                        # a registered id, or file = "my.py:Class"
    label = "CMC"                     # optional; the name in tables and plots
    params = { }                      # optional fixed parameters
    [controller.grid]                 # optional; the cartesian grid is swept
    beta = [0.0, 0.5, 1.0]

A ``file`` path is relative to the sweep file. Every mistake raises
:class:`SweepSpecError` naming the file and the key.
"""

from __future__ import annotations

import itertools
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from autotts.controllers.spec import ControllerSpec
from autotts.errors import InputError
from autotts.toml_text import toml_value

TOP_KEYS = ("seeds", "stores", "controller")
CONTROLLER_KEYS = ("id", "file", "label", "params", "grid")


class SweepSpecError(InputError, ValueError):
    """A sweep file is unreadable or has a bad key; the message names both."""


@dataclass(frozen=True)
class ControllerEntry:
    """One ``[[controller]]`` table: its label, source and every parameter set."""

    label: str
    source: str                         # "cmc" or the file as written in the sweep
    specs: tuple[ControllerSpec, ...]   # one per point of the grid


@dataclass(frozen=True)
class SweepSpec:
    """A parsed sweep: seeds, store names and controller entries, plus its text."""

    seeds: tuple[int, ...]
    stores: tuple[str, ...]
    controllers: tuple[ControllerEntry, ...]
    source: str | None = None
    text: str = ""

    @property
    def n_settings(self) -> int:
        """Number of (controller, parameter set) pairs per store."""
        return sum(len(c.specs) for c in self.controllers)


def load_sweep(path: str | Path, *, validate: bool = True) -> SweepSpec:
    """Read and check a sweep file; returns the :class:`SweepSpec`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SweepSpecError(f"{path}: cannot read sweep file: {exc.strerror or exc}") from None
    return parse_sweep(text, source=str(path), base_dir=path.parent, validate=validate)


def parse_sweep(text: str, *, source: str = "<sweep>", base_dir: Path | None = None,
                validate: bool = True) -> SweepSpec:
    """Parse sweep TOML ``text``; ``validate`` builds every controller once so a
    bad id or parameter fails before any work. Returns the :class:`SweepSpec`."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SweepSpecError(f"{source}: invalid TOML: {exc}") from None
    err = _Errors(source)
    unknown = sorted(set(doc) - set(TOP_KEYS))
    if unknown:
        err.fail(unknown[0], f"unknown key; allowed: {', '.join(TOP_KEYS)}")
    seeds = _seeds(doc.get("seeds", 100), err)
    stores = _stores(doc.get("stores"), err)
    tables = doc.get("controller")
    if not isinstance(tables, list) or not tables:
        err.fail("controller", "need at least one [[controller]] table")
    entries = tuple(_entry(t, i, err, base_dir or Path(".")) for i, t in enumerate(tables))
    labels = [e.label for e in entries]
    dup = next((lb for lb in labels if labels.count(lb) > 1), None)
    if dup is not None:
        err.fail("controller", f"label {dup!r} is used twice; give each a distinct label")
    spec = SweepSpec(seeds, stores, entries, source, text)
    if validate:
        for i, entry in enumerate(entries):
            _check_builds(entry, f"controller[{i}]", err)
    return spec


class _Errors:
    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, message: str) -> NoReturn:
        raise SweepSpecError(f"{self.source}: {key}: {message}")


def _seeds(value: Any, err: _Errors) -> tuple[int, ...]:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 1:
            err.fail("seeds", f"must be >= 1, got {value}")
        return tuple(range(value))
    if (isinstance(value, list) and value
            and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in value)):
        if len(set(value)) != len(value):
            err.fail("seeds", "a seed is listed twice")
        return tuple(value)
    err.fail("seeds", f"expected a count (e.g. 100) or a non-empty list of seeds >= 0, "
                      f"got {value!r}")


def _stores(value: Any, err: _Errors) -> tuple[str, ...]:
    if value is None:
        err.fail("stores", "missing; list store names, e.g. stores = [\"search\"]")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(
            isinstance(s, str) and s.strip() for s in value):
        err.fail("stores", f"expected a non-empty list of store names, got {value!r}")
    return tuple(s.strip() for s in value)


def _entry(table: Any, i: int, err: _Errors, base_dir: Path) -> ControllerEntry:
    where = f"controller[{i}]"
    if not isinstance(table, dict):
        err.fail(where, "expected a table")
    unknown = sorted(set(table) - set(CONTROLLER_KEYS))
    if unknown:
        err.fail(f"{where}.{unknown[0]}", f"unknown key; allowed: {', '.join(CONTROLLER_KEYS)}")
    cid, cfile = table.get("id"), table.get("file")
    if (cid is None) == (cfile is None):
        err.fail(where, "give exactly one of id or file")
    for key, val in (("id", cid), ("file", cfile), ("label", table.get("label"))):
        if val is not None and (not isinstance(val, str) or not val.strip()):
            err.fail(f"{where}.{key}", f"expected a non-empty string, got {val!r}")
    fixed = table.get("params", {})
    if not isinstance(fixed, dict):
        err.fail(f"{where}.params", "expected a table of parameter = value")
    grid = _grid(table.get("grid", {}), f"{where}.grid", err)
    for part, table_ in (("params", fixed), ("grid", grid)):
        for key, val in table_.items():
            try:
                json.dumps(val)
            except TypeError:
                err.fail(f"{where}.{part}.{key}", "values must be numbers, strings, booleans "
                                                  f"or lists, got {val!r}")
    both = sorted(set(fixed) & set(grid))
    if both:
        err.fail(f"{where}.grid.{both[0]}", "is also in params; give it in one place")
    resolved = None if cfile is None else _resolve_file(cfile, base_dir)
    specs = tuple(ControllerSpec(id=cid, file=resolved, params={**fixed, **point})
                  for point in grid_points(grid))
    label = table.get("label") or specs[0].label
    return ControllerEntry(label=label, source=cid or cfile, specs=specs)


def _grid(value: Any, where: str, err: _Errors) -> dict[str, list]:
    if not isinstance(value, dict):
        err.fail(where, "expected a table of parameter = [values]")
    for key, vals in value.items():
        if not isinstance(vals, list) or not vals:
            err.fail(f"{where}.{key}", f"expected a non-empty list of values, got {vals!r}")
    return value


def grid_points(grid: dict[str, list]) -> list[dict[str, Any]]:
    """The cartesian product of ``grid`` as parameter dicts (``[{}]`` for an empty grid)."""
    keys = list(grid)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]


def _resolve_file(file_spec: str, base_dir: Path) -> str:
    path, sep, cls = file_spec.partition(":")
    p = Path(path).expanduser()
    if not p.is_absolute():
        p = base_dir / p
    return f"{p}{sep}{cls}"


def _check_builds(entry: ControllerEntry, where: str, err: _Errors) -> None:
    for spec in entry.specs:
        try:
            spec.build()
        except (KeyError, TypeError, ValueError, AttributeError, ImportError,
                FileNotFoundError, SyntaxError) as exc:
            params = json.dumps(spec.params, sort_keys=True)
            err.fail(where, f"cannot build {entry.source!r} with params {params}: "
                            f"{str(exc).strip(chr(34))}")


def to_toml(seeds: int | list[int], stores: list[str], controllers: list[dict]) -> str:
    """Sweep TOML text for plain values; each controller dict holds id/file,
    label, params and grid as in the file format. Returns the text."""
    lines = [f"seeds = {toml_value(seeds)}", f"stores = {toml_value(list(stores))}"]
    for c in controllers:
        lines += ["", "[[controller]]"]
        for key in ("id", "file", "label"):
            if c.get(key) is not None:
                lines.append(f"{key} = {toml_value(c[key])}")
        if c.get("params"):
            inline = ", ".join(f"{k} = {toml_value(v)}" for k, v in c["params"].items())
            lines.append(f"params = {{ {inline} }}")
        if c.get("grid"):
            lines.append("[controller.grid]")
            lines += [f"{k} = {toml_value(v)}" for k, v in c["grid"].items()]
    return "\n".join(lines) + "\n"
