"""Static refusals of run-time name building (a part of validation).

Private names the validator refuses in the source can still be built at run
time and handed to code that resolves them: ``str.format``/``format_map``
resolve ``{0._table}`` fields on any object, and numpy calls a Python
callable it is handed (``np.vectorize``, ``np.frompyfunc``, ...) outside the
candidate's own visible calls. So:

- ``.format``/``.format_map`` only on a plain string literal (whose fields
  the validator already checks), never on a variable, ``str`` itself or a
  string built at run time, and never fetched with ``getattr``;
- no numpy entry point that takes a Python callable.

``string.Formatter`` is not reachable (``string`` is not an allowed module).
This is the fast first filter with a clear message; what actually guarantees
that a score depends only on revealed data is the judge's interference check
(:mod:`autotts.discovery.sandbox.judge.interference`), which does not rely on it.
"""

from __future__ import annotations

import ast

FORMAT_METHODS = frozenset({"format", "format_map"})
NUMPY_CALLBACKS = frozenset({"vectorize", "frompyfunc", "apply_along_axis", "apply_over_axes",
                             "piecewise", "fromfunction"})


def _is_literal(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _line(node: ast.AST) -> str:
    return f"line {getattr(node, 'lineno', '?')}"


def runtime_name_errors(tree: ast.AST) -> list[str]:
    """Every use of run-time format fields or numpy callbacks in ``tree``,
    one message per use (empty when there is none)."""
    errors = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr in FORMAT_METHODS and not _is_literal(node.value):
                errors.append(f"{_line(node)}: .{node.attr} is allowed only on a plain string "
                              "literal (a template built at run time can reach private state)")
            elif node.attr in NUMPY_CALLBACKS:
                errors.append(f"{_line(node)}: .{node.attr} (numpy calling a Python callable) "
                              "is not allowed; write the loop out")
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in NUMPY_CALLBACKS:
                    errors.append(f"{_line(node)}: {node.module}.{alias.name} (numpy calling a "
                                  "Python callable) is not allowed; write the loop out")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("getattr", "hasattr") and len(node.args) >= 2 \
                and _is_literal(node.args[1]) \
                and node.args[1].value in FORMAT_METHODS | NUMPY_CALLBACKS:
            errors.append(f"{_line(node)}: {node.func.id}(..., {node.args[1].value!r}) is "
                          "not allowed")
    return errors
