"""The import graph of src/autotts, read with ast: no cycle, and the layers of
docs/ARCHITECTURE.md (each package imports only from the layers below it).

Function-level (lazy) imports count as much as module-level ones: a lazy
import hides a cycle from the interpreter, not from the reader.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# The layers, top to bottom (docs/ARCHITECTURE.md). Packages on one line are
# peers and may import each other; the helpers at the bottom serve everyone.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("cli",),
    ("viewer",),
    ("discovery",),
    ("evaluation", "report", "live"),
    ("controllers",),
    ("data",),        # the catalogue opens stores with env/store.py
    ("env",),
    ("errors", "fileio", "progress", "toml_text", "keyvalue", "registry", "__init__"),
)

# Imports that go up a layer, each with the reason it is allowed.
UPWARD = {
    # check_controller plays the protocol's own branch order and traces, so a
    # controller is checked on exactly the episodes it is evaluated on
    ("autotts.controllers.check", "autotts.evaluation.protocol"),
    ("autotts.controllers.check", "autotts.evaluation.traces"),
    # (lazy) the run report links the run page the viewer writes beside report.md
    ("autotts.discovery.selection.report", "autotts.viewer.export"),
    # (lazy) the reproduction report embeds the viewer's interactive curves
    ("autotts.report.reproduce", "autotts.viewer.reproduce"),
}


def module_name(path: Path) -> str:
    """``autotts.x.y`` of a file under src/ (a package is named by its __init__)."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of the autotts package by name."""
    return {module_name(p): p for p in sorted((SRC / "autotts").rglob("*.py"))}


def _resolve(mod: str, node: ast.ImportFrom) -> str:
    """The absolute module a (possibly relative) ``from`` import names."""
    if not node.level:
        return node.module or ""
    is_pkg = modules()[mod].name == "__init__.py"
    base = mod.split(".")[: len(mod.split(".")) - node.level + (1 if is_pkg else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(mod: str) -> set[str]:
    """The autotts modules that ``mod`` imports (``from pkg import submodule``
    counts as importing the submodule)."""
    known = modules()
    out: set[str] = set()
    for node in ast.walk(ast.parse(known[mod].read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(mod, node)
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base
                     for a in node.names]
        else:
            continue
        out |= {n for n in names if n in known and n != mod}
    return out


@cache
def graph() -> dict[str, frozenset[str]]:
    """Module -> the autotts modules it imports."""
    return {m: frozenset(imports_of(m)) for m in modules()}


def find_cycle(g: dict[str, frozenset[str]]) -> list[str] | None:
    """One import cycle (its modules in order, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 finished
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in sorted(g[m]):
            if state.get(n) == 1:
                return path[path.index(n):] + [n]
            if n not in state and (found := visit(n)):
                return found
        path.pop()
        state[m] = 2
        return None

    for m in sorted(g):
        if m not in state and (found := visit(m)):
            return found
    return None


def layer_of(mod: str) -> int:
    """The layer index of a module (0 is the top)."""
    top = mod.split(".")[1] if "." in mod else "__init__"
    for i, row in enumerate(LAYERS):
        if top in row:
            return i
    raise AssertionError(f"{mod}: package {top!r} is in no layer of docs/ARCHITECTURE.md")


def test_the_graph_is_read():
    g = graph()
    assert "autotts.discovery.loop" in g
    assert "autotts.discovery.selection.picks" in g["autotts.discovery.loop"]


def test_no_import_cycle():
    assert find_cycle(dict(graph())) is None, " -> ".join(find_cycle(dict(graph())))


def test_find_cycle_finds_one():
    assert find_cycle({"a": frozenset({"b"}), "b": frozenset({"a"})}) == ["a", "b", "a"]
    assert find_cycle({"a": frozenset({"b"}), "b": frozenset()}) is None


def test_every_package_is_in_a_layer():
    for mod in modules():
        layer_of(mod)


def test_imports_go_down_the_layers():
    upward = sorted((m, n) for m, deps in graph().items() for n in deps
                    if layer_of(n) < layer_of(m) and (m, n) not in UPWARD)
    assert upward == [], "\n".join(f"{m} -> {n}" for m, n in upward)


def test_the_allowed_upward_imports_still_exist():
    assert all(n in graph()[m] for m, n in UPWARD)
