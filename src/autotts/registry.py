"""Name -> lazily imported object: the one registry mechanism of autotts.

Controllers (``controllers/registry.py``) and proposers
(``discovery/proposers/__init__.py``) are each a :class:`Registry` built from a
table of ``name -> "module:attr"`` targets. Nothing is imported until a name is
looked up, so optional dependencies load only when chosen, and a package
never has to import all its modules to fill a table. An unknown name raises
the registry's error listing every known name.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping


class Registry:
    """Names of one kind (``kind`` is used in messages), each naming a
    ``"module:attr"`` target that is imported on first lookup."""

    def __init__(self, kind: str, targets: Mapping[str, str], *,
                 error: type[Exception] = KeyError):
        for name, target in targets.items():
            _split(name, target)  # refuse a malformed target when the table is built
        self.kind = kind
        self.error = error
        self._targets = dict(targets)
        self._loaded: dict[str, object] = {}

    def add(self, name: str, target: str) -> None:
        """Register ``name`` as ``"module:attr"``; ValueError when the name is
        taken by another target or the target is malformed."""
        _split(name, target)
        if self._targets.get(name, target) != target:
            raise ValueError(f"{self.kind} {name!r} is already registered "
                             f"(as {self._targets[name]})")
        self._targets[name] = target

    def names(self) -> list[str]:
        """The registered names, sorted."""
        return sorted(self._targets)

    def target(self, name: str) -> str:
        """The ``"module:attr"`` that ``name`` stands for; the registry's error when unknown."""
        try:
            return self._targets[name]
        except KeyError:
            raise self.error(f"unknown {self.kind} {name!r}; known: "
                             f"{', '.join(self.names())}") from None

    def load(self, name: str) -> object:
        """The object registered as ``name``, imported now if it was not yet.

        Raises the registry's error for an unknown name; ImportError (an
        optional dependency missing) passes through to the caller."""
        if name not in self._loaded:
            module, attr = _split(name, self.target(name))
            self._loaded[name] = getattr(importlib.import_module(module), attr)
        return self._loaded[name]

    def load_all(self) -> dict[str, object]:
        """Every registered object by name (importing all of them), sorted by name."""
        return {name: self.load(name) for name in self.names()}

    def __contains__(self, name: object) -> bool:
        return name in self._targets

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())


def _split(name: str, target: str) -> tuple[str, str]:
    """``("module", "attr")`` of a ``"module:attr"`` target; ValueError when malformed."""
    module, sep, attr = target.partition(":")
    if not (module and sep and attr):
        raise ValueError(f"registry entry {name!r}: target {target!r} is not 'module:attr'")
    return module, attr
