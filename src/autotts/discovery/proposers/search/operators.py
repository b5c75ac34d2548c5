"""How the search makes a new design from old ones.

Four operators, chosen per child by the bandit in :mod:`.design_pool`:

- ``knob``: move one or two knobs' base or slope by about one step;
- ``part``: switch one slot to another variant (its new knobs drawn at random);
- ``crossover``: each slot's variant (with the knobs it reads) from one of two
  parents, each core knob from either;
- ``fresh``: a random design (keeps a blank start exploring).

A child too close to a design already tried (same parts, every knob within
``NEAR`` of its range at beta 0, 0.5 and 1) is refused as not novel.
"""

from __future__ import annotations

import random

from autotts.discovery.proposers.search.designs import fill_new_knobs, random_genome
from autotts.discovery.proposers.search.space import (
    CORE_KNOBS,
    KNOBS,
    SLOTS,
    Genome,
    knob_values,
    normalize,
)

OPERATORS = ("knob", "part", "crossover", "fresh")
NEAR = 0.02  # share of a knob's range under which two schedules count as the same


def crossover(a: Genome, b: Genome, rng: random.Random) -> Genome:
    """Each slot's variant, with the knobs it reads, from one parent; each core
    knob from either."""
    parts, coefs = {}, {}
    for slot in SLOTS:
        src = a if rng.random() < 0.5 else b
        parts[slot] = src["parts"][slot]
        for name in SLOTS[slot][parts[slot]]:
            coefs.setdefault(name, src["coefs"][name])
    for name in CORE_KNOBS:
        coefs[name] = (a if rng.random() < 0.5 else b)["coefs"][name]
    return normalize({"parts": parts, "coefs": coefs})


def switch_part(g: Genome, rng: random.Random) -> tuple[Genome, str]:
    """One slot switched to another variant; knobs it newly needs are drawn at random."""
    slot = rng.choice(sorted(SLOTS))
    variant = rng.choice([v for v in SLOTS[slot] if v != g["parts"][slot]])
    parts = {**g["parts"], slot: variant}
    coefs = {n: c for n, c in g["coefs"].items() if n in CORE_KNOBS
             or any(n in SLOTS[s][parts[s]] for s in SLOTS)}
    return fill_new_knobs({"parts": parts, "coefs": coefs}, rng), f"{slot} -> {variant}"


def move_knobs(g: Genome, rng: random.Random) -> tuple[Genome, str]:
    """One or two knobs' base or slope moved by a Gaussian step of the knob's size."""
    g = normalize(g)
    names = rng.sample(sorted(g["coefs"]), k=min(len(g["coefs"]), rng.choice((1, 1, 2))))
    what = []
    for name in names:
        base, slope = g["coefs"][name]
        step = KNOBS[name].step
        if rng.random() < 0.6:
            base += rng.gauss(0.0, step)
            what.append(f"{name} base")
        else:
            slope += rng.gauss(0.0, step)
            what.append(f"{name} slope")
        g["coefs"][name] = [base, slope]
    return normalize(g), ", ".join(what)


def apply(op: str, parents: list[Genome], rng: random.Random) -> tuple[Genome, str]:
    """The child of ``parents`` under operator ``op`` and what changed."""
    if op == "fresh":
        return random_genome(rng), "random design"
    if op == "crossover":
        child = crossover(parents[0], parents[1], rng)
        if rng.random() < 0.5:
            child, what = move_knobs(child, rng)
            return child, f"crossover + {what}"
        return child, "crossover"
    if op == "part":
        return switch_part(parents[0], rng)
    return move_knobs(parents[0], rng)


def _signature(g: Genome) -> dict[str, tuple[float, ...]]:
    """Every knob at beta 0, 0.5 and 1, as a share of its range."""
    at = [knob_values(g, b) for b in (0.0, 0.5, 1.0)]
    return {n: tuple((v[n] - KNOBS[n].lo) / (KNOBS[n].hi - KNOBS[n].lo) for v in at)
            for n in g["coefs"]}


def is_near(child: Genome, tried: list[Genome]) -> bool:
    """Whether ``child`` has the parts of a tried design and every knob within
    ``NEAR`` of it (the novelty filter)."""
    mine = _signature(child)
    for g in tried:
        if g["parts"] != child["parts"]:
            continue
        other = _signature(g)
        if all(abs(x - y) <= NEAR for n in mine for x, y in zip(mine[n], other[n])):
            return True
    return False
