"""Controller API and registry.

A controller is a small class with a ``name``, typed parameters (a single
``beta`` knob for discovered controllers, the natural budget for baselines)
and ``solve(episode) -> answer | None``. Returning is the ANSWER action. One
object is reused across questions and seeds, so ``solve`` must not keep
state between calls.

Controllers are registered under string ids::

    @register("sc")
    class SelfConsistency(Controller): ...

    make("sc", n=64)
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from autotts.env.api import EpisodeAPI


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


_REGISTRY: dict[str, type[Controller]] = {}


def register(controller_id: str):
    """Class decorator: make a controller available as ``make(controller_id, ...)``."""

    def deco(cls: type[Controller]) -> type[Controller]:
        if controller_id in _REGISTRY and _REGISTRY[controller_id] is not cls:
            raise ValueError(f"controller id {controller_id!r} is already registered")
        cls.name = controller_id
        _REGISTRY[controller_id] = cls
        return cls

    return deco


def _load_builtin() -> None:
    # Importing the package registers every built-in controller.
    import autotts.controllers  # noqa: F401


def available() -> dict[str, type[Controller]]:
    """All registered controllers by id."""
    _load_builtin()
    return dict(sorted(_REGISTRY.items()))


def param_fields(cls: type[Controller]) -> dict[str, dataclasses.Field]:
    """A controller class's parameters by name (empty for a non-dataclass)."""
    return {f.name: f for f in dataclasses.fields(cls)} if dataclasses.is_dataclass(cls) else {}


def make(controller_id: str, **params: Any) -> Controller:
    """Build a registered controller; unknown ids or parameter names raise KeyError."""
    _load_builtin()
    try:
        cls = _REGISTRY[controller_id]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"unknown controller {controller_id!r}; known: {known}") from None
    fields = param_fields(cls)
    unknown = sorted(set(params) - set(fields))
    if unknown:
        raise KeyError(f"controller {controller_id!r} has no parameter(s) {', '.join(unknown)}; "
                       f"its parameters are: {', '.join(fields) or '(none)'}")
    return cls(**params)


def first_doc_line(cls: type) -> str:
    """The first line of a class's docstring ("" when it has none)."""
    doc = (cls.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else ""
