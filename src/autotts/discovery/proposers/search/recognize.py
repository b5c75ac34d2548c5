"""Is a controller file exactly a design the search generated?

A generated candidate names its parts and lists its coefficients in plain
text (:mod:`.codegen`). :func:`generated_genome` reads them back, renders that
genome again and accepts the file only when the rendering is byte-identical,
so an edited file (a changed line, a comment, a renamed variable) is never
taken for a generated one. Only then may the trusted compiled kernel stand in
for the file; anything else is run as the file says (the sandbox, the
ordinary protocol).
"""

from __future__ import annotations

import ast
import re

from autotts.discovery.proposers.search.codegen import render
from autotts.discovery.proposers.search.space import SLOTS, Genome

_HEAD = re.compile(r'\A"""([A-Za-z_][A-Za-z0-9_]*): a test-time scaling controller composed '
                   r"by the built-in search\.\n\nParts: ([a-z_, ]+)\.\n(.*?)Every knob is",
                   re.DOTALL)
_CONST = re.compile(r"^([A-Z_]+) = (\([^()\n]*\))  # ", re.MULTILINE)


def generated_genome(source: str) -> tuple[Genome, str] | None:
    """(genome, class name) when ``source`` is exactly ``render(genome, ...)``
    for the genome it describes; None for any other file."""
    m = _HEAD.match(source)
    if m is None:
        return None
    class_name, parts_text, origin = m.group(1), m.group(2), m.group(3)
    if '"' in origin or "\\" in origin:  # only plain prose may sit in the docstring
        return None
    parts = {}
    for item in parts_text.split(", "):
        slot, _, variant = item.partition(" ")
        parts[slot] = variant
    if set(parts) != set(SLOTS):
        return None
    coefs = {}
    for name, pair in _CONST.findall(source.split("# knob = (BASE, SLOPE)\n", 1)[-1]):
        try:
            value = ast.literal_eval(pair)
        except (ValueError, SyntaxError):
            return None
        coefs[name.lower()] = list(value)
    genome = {"parts": parts, "coefs": coefs}
    try:
        again = render(genome, class_name=class_name, origin=origin.strip())
    except (ValueError, TypeError, KeyError, AssertionError):
        return None
    return (genome, class_name) if again == source else None
