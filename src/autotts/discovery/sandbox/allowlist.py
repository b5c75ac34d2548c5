"""What candidate code may name: the allowed modules, and per module the
attributes it may use (its own public, non-module names), plus the names,
attributes and builtins that are refused everywhere. Used by
:mod:`autotts.discovery.sandbox.static_check`."""

from __future__ import annotations

import importlib
import types
from functools import cache

ALLOWED_MODULES = frozenset({
    "math", "collections", "collections.abc", "itertools", "functools", "heapq",
    "statistics", "dataclasses", "typing", "abc", "numpy", "scipy.stats", "scipy",
    "__future__", "autotts.controllers.voting", "autotts.controllers.base",
    "autotts.env.episode",
})
FORBIDDEN_NAMES = frozenset({
    "open", "exec", "eval", "compile", "__import__", "globals", "locals", "vars",
    "input", "breakpoint", "memoryview", "help", "exit", "quit", "__builtins__",
    "__loader__", "__spec__", "os", "sys", "gc", "socket", "subprocess", "inspect",
    "importlib", "ctypes", "builtins", "pathlib", "shutil", "signal", "threading",
    "multiprocessing", "pickle", "marshal",
})
# numpy / scipy attributes that touch files, foreign code or the test machinery.
FORBIDDEN_ATTRS = frozenset({
    "load", "loadtxt", "genfromtxt", "fromfile", "fromregex", "save", "savez",
    "savez_compressed", "savetxt", "memmap", "ctypeslib", "ctypes", "tofile", "DataSource",
    "lib", "testing", "f2py", "distutils", "show_config", "system", "popen", "f_globals",
    "f_locals", "f_back", "gi_frame", "cr_frame", "tb_frame",
})
ATTR_BUILTINS = frozenset({"getattr", "setattr", "delattr", "hasattr"})
# Reflection that reaches classes, frames or namespaces.
FORBIDDEN_NAMES = FORBIDDEN_NAMES | {"type", "dir", "object"}
FORBIDDEN_ATTRS = FORBIDDEN_ATTRS | {"f_code", "f_builtins", "gi_code", "cr_code", "tb_next",
                                     "ag_frame", "co_consts", "mro"}
SUBMODULES = frozenset({"numpy.random", "numpy.linalg", "scipy.stats"})


@cache
def module_exports(mod: str) -> frozenset[str]:
    """Public names of an allowed module that are not modules themselves (plus
    the vetted submodules). Imports the module: allowed modules are trusted code."""
    m = importlib.import_module(mod)
    names = {n for n in dir(m) if not n.startswith("_")
             and not isinstance(getattr(m, n, None), types.ModuleType)}
    if mod.startswith("autotts."):  # the package's helpers: only what they define themselves
        names = {n for n in names if getattr(getattr(m, n), "__module__", mod) == mod}
    names |= {s.rsplit(".", 1)[1] for s in SUBMODULES if s.rsplit(".", 1)[0] == mod}
    if mod == "__future__":
        return frozenset(dir(m))
    return frozenset(names - FORBIDDEN_ATTRS)
