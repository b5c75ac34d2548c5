"""Designs the search starts from: the named seed designs (the default
start) and random designs (the blank start).

A blank start knows the building blocks and each knob's range, nothing else:
its first designs are drawn at random, every part uniformly and every knob
across its whole range (log-uniform for counts), so no known controller's
schedule leaks in.
"""

from __future__ import annotations

import copy
import math
import random

from autotts.discovery.proposers.search.space import (
    KNOBS,
    SLOTS,
    Genome,
    Knob,
    needed_knobs,
    normalize,
)


def _seed(parts: dict[str, str], coefs: dict[str, tuple[float, float]]) -> Genome:
    return normalize({"parts": parts, "coefs": {k: list(v) for k, v in coefs.items()}})


# The paper's CMC, knob for knob (REPLAY_PROTOCOL.md section 5).
CMC_LIKE = _seed(
    {"vote": "completed", "widen": "stalled", "depth": "aligned", "prune": "keep_k",
     "stop": "momentum"},
    {"n_init": (2, 6), "max_branches": (4, 60), "warm_up": (2, 8), "ema_alpha": (0.7, -0.4),
     "trend_len": (2, 6), "refill": (0, 0), "widen_size": (1, 3), "stall": (0.04, -0.03),
     "widen_conf": (0.85, 0.12), "aligned_burst": (1, 2), "patience": (3, 9), "keep": (2, 0),
     "conf_thresh": (0.85, 0.12), "min_votes": (2, 3), "slack": (0.04, -0.03)})

# Parallel-Probe's shape: many branches in lockstep, off-consensus pruning,
# stop on a stable winner of the latest answers; width and window grow with beta.
PARALLEL_PROBE_LIKE = _seed(
    {"vote": "latest", "widen": "none", "depth": "uniform", "prune": "patience", "stop": "stable"},
    {"n_init": (16, 48), "max_branches": (16, 48), "warm_up": (5, 10), "depth_burst": (1, 0),
     "patience": (4, 4), "stable_steps": (8, 24)})

# Adaptive-Consistency's shape: read a few branches to the end, stop once the
# Beta confidence of the finished answers is high, else read a few more.
ASC_LIKE = _seed(
    {"vote": "completed", "widen": "none", "depth": "uniform", "prune": "none",
     "stop": "confidence"},
    {"n_init": (2, 2), "max_branches": (16, 48), "warm_up": (0, 0),
     "refill": (1, 3), "depth_burst": (2, 2), "conf_thresh": (0.8, 0.17), "min_votes": (2, 1)})

# short-m@k's shape: open k branches at once, read them in lockstep, answer
# with the majority of the first m to finish.
SHORT_MK_LIKE = _seed(
    {"vote": "first", "widen": "none", "depth": "uniform", "prune": "none", "stop": "first_m"},
    {"n_init": (4, 28), "max_branches": (4, 28), "warm_up": (0, 0), "depth_burst": (1, 0),
     "first_m": (1, 7)})

SEEDS: dict[str, Genome] = {"cmc": CMC_LIKE, "parallel-probe": PARALLEL_PROBE_LIKE,
                            "asc": ASC_LIKE, "short-m@k": SHORT_MK_LIKE}


def seed_genome(name: str) -> Genome:
    """A copy of a named seed design (``cmc``, ``parallel-probe``, ``asc``, ``short-m@k``)."""
    if name not in SEEDS:
        raise ValueError(f"unknown seed design {name!r}; known: {', '.join(SEEDS)}")
    return copy.deepcopy(SEEDS[name])


def _log_scale(knob: Knob) -> bool:
    """Counts spanning more than a factor 8 are drawn log-uniformly."""
    return knob.whole and knob.hi / max(knob.lo, 1) > 8


def random_coef(knob: Knob, rng: random.Random) -> list[float]:
    """A random (base, slope) for ``knob``: the value at beta 0 anywhere in its
    range, at beta 1 anywhere between that and the end its sign allows."""
    if _log_scale(knob):
        lo, hi = math.log(max(knob.lo, 1)), math.log(knob.hi)
        draw = lambda a, b: math.exp(rng.uniform(a, b))  # noqa: E731
        base = draw(lo, hi)
        end = draw(math.log(base), hi) if knob.sign >= 0 else draw(lo, math.log(base))
    else:
        base = rng.uniform(knob.lo, knob.hi)
        end = {1: rng.uniform(base, knob.hi), -1: rng.uniform(knob.lo, base),
               0: rng.uniform(knob.lo, knob.hi)}[knob.sign]
    return [base, end - base]


def random_genome(rng: random.Random) -> Genome:
    """A design with every slot's variant and every knob drawn at random."""
    parts = {slot: rng.choice(sorted(variants)) for slot, variants in SLOTS.items()}
    return normalize({"parts": parts,
                      "coefs": {n: random_coef(KNOBS[n], rng) for n in needed_knobs(parts)}})


def fill_new_knobs(genome: Genome, rng: random.Random) -> Genome:
    """``genome`` with every knob its parts need but it lacks drawn at random
    (a part switched in by a mutation brings no preset schedule)."""
    coefs = dict(genome["coefs"])
    for name in needed_knobs(genome["parts"]):
        if name not in coefs:
            coefs[name] = random_coef(KNOBS[name], rng)
    return normalize({"parts": genome["parts"], "coefs": coefs})
