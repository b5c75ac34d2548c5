"""Pull a Python controller out of a chat reply."""

from __future__ import annotations

import re

_FENCE = re.compile(r"```[ \t]*(?:python|py|python3)?[ \t]*\n(.*?)```", re.DOTALL | re.IGNORECASE)


def extract_code(reply: str) -> str:
    """The fenced code block that defines a class with ``solve`` (the longest such,
    else the longest block); the whole reply when it has no fence. Returns '' for ''."""
    blocks = [b.strip("\n") for b in _FENCE.findall(reply)]
    if not blocks:
        return reply.strip() + ("\n" if reply.strip() else "")
    with_solve = [b for b in blocks if "class " in b and "def solve" in b]
    best = max(with_solve or blocks, key=len)
    return best + "\n"
