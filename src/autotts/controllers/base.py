"""Controller API: the base class and its parameter checks.

A controller is a small class with a ``name``, typed parameters (a single
``beta`` knob for discovered controllers, the natural budget for baselines)
and ``solve(episode) -> answer | None``. Returning is the ANSWER action. One
object is reused across questions and seeds, so ``solve`` must not keep
state between calls.

Built-in controllers are listed by id in ``controllers/registry.py``
(``make("sc", n=64)``); each class carries its id as ``name``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from autotts.env.api import EpisodeAPI
from autotts.errors import InputError


class Controller:
    """Base class: subclasses are frozen dataclasses whose fields are the parameters."""

    name: ClassVar[str] = "controller"

    def solve(self, episode: EpisodeAPI) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def params(self) -> dict[str, Any]:
        """The parameters this controller was built with."""
        if dataclasses.is_dataclass(self):
            return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {}


def param_fields(cls: type[Controller]) -> dict[str, dataclasses.Field]:
    """A controller class's parameters by name (empty for a non-dataclass)."""
    return {f.name: f for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else {}


class ParameterError(InputError, ValueError):
    """A controller parameter has a value of the wrong type or out of range."""


_KINDS = {"int": (int,), "float": (int, float), "bool": (bool,)}


def check_params(cls: type, params: dict[str, Any]) -> None:
    """Refuse values that do not fit a controller's field types (int, float, bool)
    or a ``beta`` outside [0, 1] (the beta contract); raises ParameterError.

    Called before any work is sent to worker processes, so a bad value is one
    message in the parent instead of a traceback from a worker.
    """
    fields = param_fields(cls)
    label = getattr(cls, "name", cls.__name__)
    for key, value in params.items():
        if key not in fields:
            continue
        ann = fields[key].type
        kind = ann if isinstance(ann, str) else getattr(ann, "__name__", "")
        allowed = _KINDS.get(kind)
        bad_bool = isinstance(value, bool) and kind != "bool"
        if allowed and (bad_bool or not isinstance(value, allowed)):
            what = {"int": "an integer", "float": "a number", "bool": "true or false"}[kind]
            raise ParameterError(f"{label}: {key} must be {what}, got {value!r}")
        if key == "beta" and not bad_bool and isinstance(value, (int, float)) \
                and not 0.0 <= value <= 1.0:
            raise ParameterError(f"{label}: beta must lie in [0, 1] (0 = cheapest, 1 = most "
                                 f"budget), got {value!r}")


def first_doc_line(cls: type) -> str:
    """The first line of a class's docstring ("" when it has none)."""
    doc = (cls.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""
