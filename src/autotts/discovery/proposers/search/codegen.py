"""Genome -> readable Python source.

The archived candidate is an ordinary controller file a person can read,
edit and run: the schedule coefficients are named constants at the top, the
chosen parts are plain functions copied from :mod:`autotts.controllers.parts`
and :mod:`autotts.controllers.moves`, and ``solve`` calls them in one short
loop. Nothing in it refers back to this package except the controller base
class and the voting helpers.
"""

from __future__ import annotations

import ast
import inspect
import re
from functools import lru_cache

from autotts.controllers import branches, moves, parts
from autotts.discovery.proposers.search.space import KNOBS, Genome, needed_knobs, normalize

CLASS_NAME = "SearchController"
MAX_STEPS = 500  # outer rounds per question, as CMC

_HELPERS = ("Branches", "open_branches", "add_final", "advance")
_EMA_HELPERS = ("track_confidence", "trend")

_HEADER = '''"""{cls}: a test-time scaling controller composed by the built-in search.

Parts: {summary}.
{origin}
Every knob is a straight line in beta, value = BASE + SLOPE * beta, clipped to
its range and rounded (whole knobs with round(), fractions to 4 places); the
slope's sign is fixed per knob, so each schedule is monotone in beta.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from autotts.controllers.base import Controller
from autotts.controllers.voting import beta_confidence, majority, stats_from_counts

MAX_STEPS = {max_steps}  # outer rounds per question

# knob = (BASE, SLOPE)
{constants}


{whole}


{frac}


def schedule(beta: float) -> dict:
    """Every knob at this beta (bigger beta = more budget)."""
    b = min(1.0, max(0.0, float(beta)))
    return {{
{schedule}
    }}
'''

_SOLVE = '''


@dataclass(frozen=True)
class {cls}(Controller):
    """{summary}."""

    beta: float = 0.5

    def solve(self, ep) -> str | None:
        k = schedule(self.beta)
        st = Branches(ep, {trend_len})
        open_branches(st, min(k["n_init"], k["max_branches"]))
        if not st.ids:
            return None
        for step in range(MAX_STEPS):
            warm = step >= k["warm_up"]
            winner, conf = vote_{vote}(st, k){track_new}{prune}
            deepen_{depth}(st, winner if warm else None, k)
            winner, conf = vote_{vote}(st, k){track_old}
            if stop_{stop}(st, winner, conf, warm, k):
                ep.note(f"stop at step {{step}}: winner {{winner!r}}, confidence {{conf:.3f}}")
                return winner
            room = k["max_branches"] - len(st.ids)
            if not st.alive():
                if k["refill"] <= 0 or room <= 0 or ep.branches_left <= 0:
                    ep.note("every branch finished or pruned")
                    break
                open_branches(st, min(k["refill"], room))
                continue{widen}
        return answer_{vote}(st, k)
'''

_TRACK = '''
            track_confidence(st, conf, k["ema_alpha"], {new})'''

_PRUNE = '''
            if warm and winner is not None:
                prune_{name}(st, winner, k)'''

_WIDEN = '''
            if room > 0:
                open_branches(st, min(widen_{name}(st, winner, conf, step, k), room))'''


@lru_cache(maxsize=1)
def part_sources() -> dict[str, str]:
    """Source of every top-level function and class of the search's parts
    (:mod:`autotts.controllers.parts`, :mod:`~autotts.controllers.moves`) and the
    shared bookkeeping (:mod:`~autotts.controllers.branches`), read once (one
    snapshot, so an edit of a file mid-run cannot mix versions)."""
    out = {}
    for module in (branches, moves, parts):
        text = inspect.getsource(module)
        lines = _split_lines(text)  # once per file: get_source_segment splits it per node
        out.update({node.name: _segment(lines, node) for node in ast.parse(text).body
                    if isinstance(node, (ast.FunctionDef, ast.ClassDef))})
    return out


def _split_lines(text: str) -> list[str]:
    r"""``text``'s lines with their endings, split where :func:`ast.get_source_segment`
    splits (``\r\n``, ``\n``, ``\r``; not at a form feed or other separators)."""
    return re.findall(r"[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$", text)


def _segment(lines: list[str], node: ast.AST) -> str:
    """:func:`ast.get_source_segment` of a top-level ``node`` from pre-split lines."""
    first, last = node.lineno - 1, node.end_lineno - 1
    start, end = node.col_offset, node.end_col_offset
    if first == last:
        return lines[first].encode()[start:end].decode()
    head = lines[first].encode()[start:].decode()
    tail = lines[last].encode()[:end].decode()
    return "".join([head, *lines[first + 1:last], tail])


def summary(genome: Genome) -> str:
    """One line naming the chosen variant of every slot."""
    return ", ".join(f"{slot} {variant}" for slot, variant in genome["parts"].items())


def _constants(genome: Genome) -> str:
    lines = []
    for name, (base, slope) in genome["coefs"].items():
        knob = KNOBS[name]
        lines.append(f"{name.upper()} = ({base!r}, {slope!r})  # {knob.doc}")
    return "\n".join(lines)


def _schedule(genome: Genome) -> str:
    lines = []
    for name in genome["coefs"]:
        knob = KNOBS[name]
        fn = "whole" if knob.whole else "frac"
        lo, hi = (int(knob.lo), int(knob.hi)) if knob.whole else (knob.lo, knob.hi)
        lines.append(f'        "{name}": {fn}({name.upper()}, b, {lo!r}, {hi!r}),')
    return "\n".join(lines)


# helpers a variant calls besides its own function
_NEEDS = {("vote", "latest"): ("latest_counts",), ("vote", "recent"): ("recency_counts",),
          ("vote", "first"): ("first_counts",), ("vote", "length"): ("length_counts",),
          ("vote", "steady"): ("steady_counts",), ("widen", "disagree"): ("latest_counts",),
          ("prune", "patience"): ("count_off",), ("prune", "keep_k"): ("count_off",)}


def _part_names(genome: Genome) -> list[str]:
    """Names of the part functions the chosen variants call, helpers first,
    each once, in slot order."""
    p = genome["parts"]
    helpers = [h for slot in p for h in _NEEDS.get((slot, p[slot]), ())]
    names = [f"vote_{p['vote']}", f"answer_{p['vote']}"]
    if p["prune"] != "none":
        names.append(f"prune_{p['prune']}")
    names += [f"deepen_{p['depth']}", f"stop_{p['stop']}"]
    if p["widen"] != "none":
        names.append(f"widen_{p['widen']}")
    return list(dict.fromkeys(helpers + names))


def render(genome: Genome, *, class_name: str = CLASS_NAME, origin: str = "") -> str:
    """The complete source of the controller ``genome`` describes."""
    g = normalize(genome)
    p = g["parts"]
    assert list(g["coefs"]) == needed_knobs(p)
    text = _HEADER.format(cls=class_name, summary=summary(g),
                          origin=origin.strip() + "\n" if origin else "", max_steps=MAX_STEPS,
                          whole=part_sources()["whole"], frac=part_sources()["frac"],
                          constants=_constants(g), schedule=_schedule(g))
    helpers = _HELPERS + (_EMA_HELPERS if "ema_alpha" in g["coefs"] else ())
    for name in helpers + tuple(_part_names(g)):
        text += "\n\n\n" + part_sources()[name]
    prune = _PRUNE.format(name=p["prune"]) if p["prune"] != "none" else ""
    widen = _WIDEN.format(name=p["widen"]) if p["widen"] != "none" else ""
    ema = "ema_alpha" in g["coefs"]
    text += _SOLVE.format(cls=class_name, summary=summary(g).capitalize(), vote=p["vote"],
                          depth=p["depth"], stop=p["stop"], prune=prune, widen=widen,
                          trend_len='k["trend_len"]' if ema else "2",
                          track_new=_TRACK.format(new=True) if ema else "",
                          track_old=_TRACK.format(new=False) if ema else "")
    return text
