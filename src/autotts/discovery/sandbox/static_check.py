"""Static validation of a candidate controller file, before any of it runs.

Checks, on the source text only (``ast``; nothing is imported or executed):

- it parses;
- the controller class is found: the configured name, else the only class
  with a ``solve`` method (the authors' files hold several classes; theirs is
  ``OptimalController``, which is preferred when present);
- imports come from an allowlist (math, collections, itertools, functools,
  heapq, statistics, dataclasses, typing, abc, numpy, scipy.stats, and the
  package's helper modules ``autotts.controllers.voting`` / ``.base``);
- attributes of an imported module, and names imported from one, come from
  that module's own public, non-module names (so ``dataclasses.sys`` or a
  module re-exported by an allowed one is refused), plus a few vetted
  submodules (``numpy.random``, ``numpy.linalg``);
- no assignment to attributes of imported names (monkeypatching), no
  getattr/setattr/delattr/hasattr except called directly with a literal
  public name, no ``type``/``dir``/``object``;
- no dunder attribute access (``x.__class__``; ``super().__init__`` is
  allowed), no private attribute access except on ``self``/``cls``;
- no file, OS, network or dynamic-code builtins (open, exec, eval, compile,
  __import__, globals, vars, getattr with a non-literal or private name ...)
  and no numpy file or foreign-function entry points.

This is a first line of defence that gives the agent a clear message; the
sandbox (:mod:`autotts.discovery.sandbox.process`) is the second and does not rely on it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from autotts.discovery.sandbox.allowlist import (
    ALLOWED_MODULES,
    ATTR_BUILTINS,
    FORBIDDEN_ATTRS,
    FORBIDDEN_NAMES,
    SUBMODULES,
    module_exports,
)
from autotts.discovery.sandbox.static_calls import runtime_name_errors

SELF_NAMES = frozenset({"self", "cls"})
_FORMAT_PRIVATE = re.compile(r"\{[^{}]*[.\[]\s*_")
LEGACY_CLASS = "OptimalController"


class ValidationError(ValueError):
    """The candidate file failed static validation; the message says where and why."""


@dataclass(frozen=True)
class Validated:
    """Outcome of a successful validation: the class to build and a few facts."""

    class_name: str
    api: str                       # "episode" (our API) or "question" (the authors')
    settings: tuple[dict, ...] | None = None  # literal SETTINGS list, when present
    warnings: tuple[str, ...] = field(default_factory=tuple)


def _where(node: ast.AST) -> str:
    return f"line {getattr(node, 'lineno', '?')}"


class _Checker(ast.NodeVisitor):
    """Collects every violation with its line number."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.modules: dict[str, str] = {}     # local name -> module path
        self.imported: set[str] = set()       # every name bound by an import
        self.called: set[int] = set()         # Name nodes in call position

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._module(alias.name, node)
            local = alias.asname or alias.name.split(".")[0]
            self.modules[local] = alias.name if alias.asname else alias.name.split(".")[0]
            self.imported.add(local)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            self.errors.append(f"{_where(node)}: relative imports are not allowed")
            return
        mod = node.module or ""
        for alias in node.names:
            self.imported.add(alias.asname or alias.name)
        if mod == "scipy":
            for alias in node.names:
                self._module(f"scipy.{alias.name}", node)
                self.modules[alias.asname or alias.name] = f"scipy.{alias.name}"
            return
        self._module(mod, node)
        if mod in ALLOWED_MODULES and mod != "__future__":
            for alias in node.names:
                self._member(mod, alias.name, node)

    def _module(self, name: str, node: ast.AST) -> None:
        if name not in ALLOWED_MODULES:
            allowed = ", ".join(sorted(m for m in ALLOWED_MODULES if m != "__future__"))
            self.errors.append(f"{_where(node)}: import of {name!r} is not allowed "
                               f"(allowed: {allowed})")

    def _member(self, mod: str, name: str, node: ast.AST) -> None:
        if not module_exports(mod).__contains__(name):
            self.errors.append(f"{_where(node)}: {mod}.{name} is not allowed (only the module's "
                               "own public names; no modules reached through it)")

    def _module_path(self, node: ast.AST) -> str | None:
        """'numpy.random' for np.random when np is an imported numpy; else None."""
        if isinstance(node, ast.Name):
            return self.modules.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self._module_path(node.value)
            path = f"{base}.{node.attr}" if base else None
            return path if path in SUBMODULES else None
        return None

    def _store_target(self, target: ast.AST) -> None:
        root = target
        while isinstance(root, (ast.Attribute, ast.Subscript)):
            root = root.value
        if target is not root and isinstance(root, ast.Name) and root.id in self.imported:
            self.errors.append(f"{_where(target)}: assigning to attributes of the imported "
                               f"name {root.id!r} (monkeypatching) is not allowed")

    def visit_Assign(self, node: ast.Assign) -> None:
        for t in node.targets:
            for el in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t]):
                self._store_target(el)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._store_target(node.target)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._store_target(node.target)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for t in node.targets:
            self._store_target(t)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        mod = self._module_path(node.value)
        if mod is not None and f"{mod}.{node.attr}" not in SUBMODULES:
            self._member(mod, node.attr, node)
        attr = node.attr
        if attr.startswith("__") and attr.endswith("__"):
            if not (attr == "__init__" and _is_super_call(node.value)):
                self.errors.append(
                    f"{_where(node)}: dunder attribute access .{attr} is not allowed")
        elif attr.startswith("_") and not _is_self(node.value):
            self.errors.append(f"{_where(node)}: private attribute .{attr} may only be used "
                               "on self/cls (the episode's private state is off limits)")
        if attr in FORBIDDEN_ATTRS:
            self.errors.append(f"{_where(node)}: attribute .{attr} is not allowed "
                               "(file, OS or foreign-code access)")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in FORBIDDEN_NAMES:
            self.errors.append(f"{_where(node)}: use of {node.id!r} is not allowed")
        if node.id in ATTR_BUILTINS and id(node) not in self.called:
            self.errors.append(f"{_where(node)}: {node.id} may only be called directly "
                               "(no aliases)")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        # str.format can read attributes ("{0._table}".format(ep)): refuse such fields.
        if isinstance(node.value, str) and _FORMAT_PRIVATE.search(node.value):
            self.errors.append(f"{_where(node)}: format fields reaching private or dunder "
                               "attributes are not allowed")

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        for attr in node.kwd_attrs:
            if attr.startswith("_"):
                self.errors.append(f"{_where(node)}: matching on private attribute {attr!r} "
                                   "is not allowed")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        fn = node.func
        if isinstance(fn, ast.Name) and fn.id in ATTR_BUILTINS:
            self.called.add(id(fn))
            if fn.id in ("setattr", "delattr") and node.args:
                self._store_target(ast.Attribute(value=node.args[0], attr="x", ctx=ast.Store(),
                                                 lineno=node.lineno))
            name = node.args[1] if len(node.args) >= 2 else None
            if not (isinstance(name, ast.Constant) and isinstance(name.value, str)
                    and not name.value.startswith("_")):
                self.errors.append(f"{_where(node)}: {fn.id}() needs a literal, public "
                                   "attribute name")
        self.generic_visit(node)


def _is_self(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id in SELF_NAMES


def _is_super_call(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id == "super")


def _controller_classes(tree: ast.Module) -> list[ast.ClassDef]:
    """Top-level classes that define ``solve`` (abstract ones included)."""
    out = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.FunctionDef) and b.name == "solve" for b in node.body):
            out.append(node)
    return out


def _is_abstract(cls: ast.ClassDef) -> bool:
    for b in cls.body:
        if isinstance(b, ast.FunctionDef) and b.name == "solve":
            return any((isinstance(d, ast.Name) and d.id == "abstractmethod")
                       or (isinstance(d, ast.Attribute) and d.attr == "abstractmethod")
                       for d in b.decorator_list)
    return False


def find_class(tree: ast.Module, class_name: str | None, filename: str) -> ast.ClassDef:
    """The controller class: ``class_name`` if given, else ``OptimalController``,
    else the only concrete class with ``solve``. Raises ValidationError."""
    classes = {c.name: c for c in tree.body if isinstance(c, ast.ClassDef)}
    if class_name:
        if class_name not in classes:
            raise ValidationError(f"{filename}: no class named {class_name!r} "
                                  f"(classes: {', '.join(classes) or 'none'})")
        return classes[class_name]
    if LEGACY_CLASS in classes:
        return classes[LEGACY_CLASS]
    concrete = [c for c in _controller_classes(tree) if not _is_abstract(c)]
    if len(concrete) != 1:
        names = ", ".join(c.name for c in concrete) or "none"
        raise ValidationError(f"{filename}: expected exactly one controller class with a "
                              f"solve() method, found: {names}; name it in the config "
                              "(class_name) or call it OptimalController")
    return concrete[0]


def _api_of(cls: ast.ClassDef) -> str:
    """"episode" when the class derives from Controller, else the authors' "question" API."""
    for base in cls.bases:
        name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
        if name == "Controller":
            return "episode"
    return "question"


def _settings_literal(cls: ast.ClassDef, filename: str) -> tuple[dict, ...] | None:
    """The class-level ``SETTINGS = [{...}, ...]`` literal (free-hyperparameter runs)."""
    for node in cls.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "SETTINGS"):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                raise ValidationError(f"{filename}: {_where(node)}: SETTINGS must be a literal "
                                      "list of dicts") from None
            if not (isinstance(value, list) and value
                    and all(isinstance(v, dict) and all(isinstance(k, str) for k in v)
                            for v in value)):
                raise ValidationError(f"{filename}: {_where(node)}: SETTINGS must be a "
                                      "non-empty list of {name: value} dicts")
            return tuple(value)
    return None


def validate_source(source: str, *, class_name: str | None = None,
                    filename: str = "candidate.py") -> Validated:
    """Statically validate candidate source; returns :class:`Validated` or raises
    :class:`ValidationError` listing every problem found."""
    if not source.strip():
        raise ValidationError(f"{filename}: the file is empty")
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as exc:
        raise ValidationError(f"{filename}: syntax error at line {exc.lineno}: {exc.msg}") from None
    checker = _Checker()
    checker.visit(tree)
    checker.errors += runtime_name_errors(tree)
    if checker.errors:
        shown = checker.errors[:20]
        more = f"\n... and {len(checker.errors) - 20} more" if len(checker.errors) > 20 else ""
        raise ValidationError(f"{filename}: " + "\n".join(shown) + more)
    cls = find_class(tree, class_name, filename)
    return Validated(class_name=cls.name, api=_api_of(cls),
                     settings=_settings_literal(cls, filename))
