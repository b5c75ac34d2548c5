"""``KEY=VALUE`` settings from the command line, parsed in one place.

Used by ``--set`` (eval, run, discover), controller specs such as
``cmc:beta=0.5`` (compare) and the search harness's ``--setting``. A value is
an int, a float, true/false, none/null, a JSON list/object/quoted string, or
else the bare string. Errors are :class:`KeyValueError` (an input error: exit
code 2 on the command line) naming the option and the offending item.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from typing import Any

from autotts.errors import InputError


class KeyValueError(InputError, ValueError):
    """A setting is not of the form KEY=VALUE, or a key is given twice."""


def parse_value(text: str) -> Any:
    """'3' -> 3, '0.5' -> 0.5, 'true'/'false' -> bool, 'none'/'null' -> None,
    '[1, 2]' / '{"a": 1}' / '"x"' -> the JSON value, else the stripped string."""
    text = text.strip()
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for conv in (int, float):
        try:
            return conv(text)
        except ValueError:
            pass
    if text[:1] in ('[', '{', '"'):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass
    return text


def split_pair(item: str, option: str = "--set", form: str = "KEY=VALUE") -> tuple[str, str]:
    """``"key=value"`` -> ``("key", "value")`` (key stripped; value as written)."""
    key, sep, value = item.partition("=")
    if not sep or not key.strip():
        raise KeyValueError(f"{option}: expected {form}, got {item!r}")
    return key.strip(), value


def parse_pairs(items: Iterable[str], option: str = "--set", *,
                lists: bool = False) -> dict[str, Any]:
    """``["a=1", "b=x"]`` -> ``{"a": 1, "b": "x"}``; with ``lists``, a value holding
    commas becomes a list (``"b=1,2"`` -> ``[1, 2]``). A repeated key is an error."""
    out: dict[str, Any] = {}
    for item in items:
        key, value = split_pair(item, option)
        if key in out:
            raise KeyValueError(f"{option}: {key!r} is given twice")
        out[key] = [parse_value(v) for v in value.split(",")] if lists and "," in value \
            else parse_value(value)
    return out


def parse_grid(items: Iterable[str], option: str = "--set") -> list[dict[str, Any]]:
    """``["beta=0,0.5", "n=8"]`` -> the cartesian grid of parameter dicts, in order."""
    axes: list[tuple[str, list[Any]]] = []
    for item in items:
        key, values = split_pair(item, option, "KEY=V1,V2,...")
        if not values.strip():
            raise KeyValueError(f"{option}: expected KEY=V1,V2,..., got {item!r}")
        if key in dict(axes):
            raise KeyValueError(f"{option}: {key!r} is given twice")
        axes.append((key, [parse_value(v) for v in values.split(",")]))
    keys = [k for k, _ in axes]
    return [dict(zip(keys, combo)) for combo in itertools.product(*(v for _, v in axes))]


def parse_controller_spec(text: str) -> tuple[str, dict[str, Any]]:
    """``"id"`` or ``"id:key=value,key=value"`` -> ``(id, params)``."""
    cid, _, rest = text.partition(":")
    params = parse_pairs(rest.split(","), option=f"controller {text!r}") if rest else {}
    return cid.strip(), params
