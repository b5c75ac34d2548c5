"""Controller specs: a registered id or a file, plus parameters, picklable so
that worker processes can build the controller themselves.

``ControllerSpec("cmc", params={"beta": 0.5})`` or
``ControllerSpec(file="path/method.py:OptimalController", params={"beta": 0.5})``.
A file class that subclasses :class:`Controller` is built as ``Cls(**params)``;
any other class is treated as the authors' question API, built as
``Cls(config=params)`` and wrapped in :class:`LegacyController`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autotts.controllers.base import Controller, check_params
from autotts.controllers.registry import make
from autotts.env.legacy import LegacyController


@dataclass(frozen=True)
class ControllerSpec:
    """What to build: ``id`` (registry) or ``file`` (``path.py[:ClassName]``)."""

    id: str | None = None
    file: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if (self.id is None) == (self.file is None):
            raise ValueError("a controller spec needs exactly one of id or file")

    @property
    def label(self) -> str:
        """Short name for tables: the id, or the file's class name."""
        if self.id is not None:
            return self.id
        path, _, cls = self.file.partition(":")
        return cls or Path(path).stem

    def build(self):
        """The controller object (has ``solve(episode)``)."""
        if self.id is not None:
            return make(self.id, **self.params)
        cls = load_class(self.file)
        if isinstance(cls, type) and issubclass(cls, Controller):
            check_params(cls, self.params)
            return cls(**self.params)
        return LegacyController(cls(config=dict(self.params)), name=self.label, params=self.params)


def load_class(file_spec: str) -> type:
    """Import ``path.py[:ClassName]`` and return the class. Without a name the
    file must define exactly one controller-like class (one with ``solve``)."""
    path_str, _, name = file_spec.partition(":")
    path = Path(path_str)
    if not path.is_file():
        raise FileNotFoundError(f"controller file not found: {path}")
    module_name = "autotts_user_" + hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    module = sys.modules.get(module_name)
    if module is None:
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception:
            del sys.modules[module_name]
            raise
    if name:
        cls = getattr(module, name, None)
        if not isinstance(cls, type):
            raise AttributeError(f"{path}: no class named {name!r}")
        return cls
    local = [c for _, c in inspect.getmembers(module, inspect.isclass)
             if c.__module__ == module_name and callable(getattr(c, "solve", None))
             and not inspect.isabstract(c)]
    if len(local) != 1:
        names = ", ".join(c.__name__ for c in local) or "none"
        raise AttributeError(f"{path}: name the controller class as {path}:ClassName "
                             f"(controller classes found: {names})")
    return local[0]
