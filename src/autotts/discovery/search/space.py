"""The controller space: slots, their variants, the knobs each needs, and
the seed designs.

A genome is plain JSON (it travels in ``Proposal.meta``)::

    {"parts": {"vote": "completed", "widen": "stalled", "depth": "aligned",
               "prune": "keep_k", "stop": "momentum"},
     "coefs": {"n_init": [2, 6], "ema_alpha": [0.7, -0.4], ...}}

Every knob is a straight line in beta, ``base + slope * beta``, clipped to the
knob's range and rounded (whole knobs with Python's ``round``, fractions to 4
places). A knob's ``sign`` fixes the slope's direction: +1 (more generous
with beta), -1 (smaller with beta, e.g. a stopping slack), 0 (either), so
every schedule is monotone in beta by construction.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

Genome = dict[str, Any]


@dataclass(frozen=True)
class Knob:
    """One scheduled quantity of a generated controller."""

    name: str
    whole: bool          # rounded to an integer
    lo: float
    hi: float
    sign: int            # slope direction: +1, -1, or 0 (free)
    default: tuple[float, float]  # (base, slope) when a variant first needs it
    step: float          # typical size of one mutation of base or slope
    doc: str

    def value(self, base: float, slope: float, beta: float) -> float:
        """The knob at ``beta``, exactly as the generated ``schedule`` computes it."""
        b = min(1.0, max(0.0, float(beta)))
        raw = base + slope * b
        v = round(raw) if self.whole else round(raw, 4)
        return min(self.hi, max(self.lo, v))


KNOBS: dict[str, Knob] = {k.name: k for k in [
    # core: every controller has these (the EMA pair only when a part watches the EMA)
    Knob("n_init", True, 1, 64, +1, (2, 6), 1.5, "branches opened at the start"),
    Knob("max_branches", True, 1, 64, +1, (4, 60), 8, "most branches ever opened (ceiling 64)"),
    Knob("warm_up", True, 0, 40, +1, (2, 8), 2, "steps before pruning, aligned depth and stopping"),
    Knob("ema_alpha", False, 0.05, 1.0, -1, (0.7, -0.4), 0.1,
         "weight of the newest confidence in the EMA"),
    Knob("trend_len", True, 2, 16, +1, (2, 6), 1, "EMA points in the trend window"),
    Knob("refill", True, 0, 16, +1, (0, 0), 1, "branches opened when every branch is done"),
    # vote
    Knob("decay", False, 0.05, 1.0, 0, (0.5, 0.0), 0.15,
         "weight ratio of an answer to the next newer one"),
    # widen
    Knob("widen_size", True, 1, 16, +1, (1, 3), 1, "branches opened per widening"),
    Knob("every", True, 1, 20, -1, (4, -2), 1.5, "steps between fixed widenings"),
    Knob("stall", False, -0.2, 0.3, 0, (0.04, -0.03), 0.02,
         "EMA rise at or below which confidence has stalled"),
    Knob("widen_conf", False, 0.5, 0.999, +1, (0.85, 0.12), 0.03,
         "EMA below which widening is allowed"),
    Knob("share", False, 0.3, 1.0, +1, (0.6, 0.3), 0.08,
         "leader's vote share below which branches disagree"),
    # depth
    Knob("depth_burst", True, 1, 4, +1, (1, 0), 0.6, "intervals every live branch takes per step"),
    Knob("aligned_burst", True, 1, 6, +1, (1, 2), 0.8,
         "intervals a winner-aligned branch takes per step"),
    Knob("lanes", True, 1, 64, +1, (2, 6), 2, "oldest live branches advanced per step"),
    # prune
    Knob("patience", True, 1, 40, +1, (3, 9), 2, "disagreeing steps before a branch is pruned"),
    Knob("keep", True, 1, 16, +1, (2, 0), 1, "live branches never pruned below"),
    # stop
    Knob("conf_thresh", False, 0.5, 0.999, +1, (0.85, 0.12), 0.03, "confidence needed to stop"),
    Knob("min_votes", True, 1, 32, +1, (2, 3), 1, "votes needed before stopping"),
    Knob("slack", False, 0.0, 0.2, -1, (0.04, -0.03), 0.02,
         "EMA fall over the trend window still allowed at a stop"),
    Knob("stable_steps", True, 1, 80, +1, (5, 30), 4, "steps the winner must lead unchanged"),
    Knob("streak", True, 1, 20, +1, (2, 4), 1,
         "last answers of a branch that must equal the winner"),
]}

CORE_KNOBS = ("n_init", "max_branches", "warm_up", "refill")
EMA_KNOBS = ("ema_alpha", "trend_len")  # read by every part that watches the confidence EMA

# slot -> variant -> knobs that variant reads (besides the core knobs)
SLOTS: dict[str, dict[str, tuple[str, ...]]] = {
    "vote": {"completed": (), "latest": (), "recent": ("decay",)},
    "widen": {"none": (), "burst": ("widen_size", "every"),
              "stalled": ("widen_size", "stall", "widen_conf") + EMA_KNOBS,
              "disagree": ("widen_size", "share")},
    "depth": {"uniform": ("depth_burst",), "aligned": ("aligned_burst",), "oldest": ("lanes",)},
    "prune": {"none": (), "patience": ("patience",), "keep_k": ("patience", "keep")},
    "stop": {"confidence": ("conf_thresh", "min_votes"),
             "momentum": ("conf_thresh", "min_votes", "slack") + EMA_KNOBS,
             "stable": ("stable_steps",), "converged": ("streak", "min_votes")},
}


def needed_knobs(parts: dict[str, str]) -> list[str]:
    """Core knobs, then each chosen variant's knobs, without repeats."""
    out = list(CORE_KNOBS)
    for slot, variants in SLOTS.items():
        for name in variants[parts[slot]]:
            if name not in out:
                out.append(name)
    return out


def _tidy(knob: Knob, base: float, slope: float) -> list[float]:
    """Clip ``base`` into the knob's range, force the slope's sign, round both."""
    base = min(knob.hi, max(knob.lo, float(base)))
    slope = float(slope)
    if knob.sign > 0:
        slope = max(0.0, slope)
    elif knob.sign < 0:
        slope = min(0.0, slope)
    digits = 2 if knob.whole else 3
    return [_plain(round(base, digits)), _plain(round(slope, digits))]


def _plain(x: float) -> float | int:
    """An integral float as int, so generated constants read ``(2, 6)``."""
    return int(x) if float(x).is_integer() else x


def normalize(genome: Genome) -> Genome:
    """A checked copy: known variants in every slot, exactly the knobs they
    need (missing ones get their defaults), coefficients tidied. Raises
    ValueError naming the slot or knob that is wrong."""
    parts = dict(genome.get("parts", {}))
    for slot, variants in SLOTS.items():
        if parts.get(slot) not in variants:
            raise ValueError(f"genome: slot {slot!r} has unknown variant {parts.get(slot)!r}; "
                             f"choose one of {', '.join(variants)}")
    unknown = sorted(set(parts) - set(SLOTS))
    if unknown:
        raise ValueError(f"genome: unknown slot(s) {', '.join(unknown)}")
    coefs_in = genome.get("coefs", {})
    coefs = {}
    for name in needed_knobs(parts):
        pair = coefs_in.get(name, KNOBS[name].default)
        if len(pair) != 2:
            raise ValueError(f"genome: knob {name!r} needs [base, slope], got {pair!r}")
        coefs[name] = _tidy(KNOBS[name], *pair)
    return {"parts": {s: parts[s] for s in SLOTS}, "coefs": coefs}


BEHAVIOUR_GRID = tuple(i / 20 for i in range(21))


def behaviour_key(genome: Genome) -> str:
    """Canonical text of what a genome *does*: its variants and every knob's
    value on a fine beta grid. Genomes with equal keys act identically, even
    when their coefficients differ (clipping and rounding hide the change)."""
    g = normalize(genome)
    values = [{n: KNOBS[n].value(base, slope, b) for n, (base, slope) in g["coefs"].items()}
              for b in BEHAVIOUR_GRID]
    return json.dumps({"parts": g["parts"], "values": values}, sort_keys=True)


def knob_values(genome: Genome, beta: float) -> dict[str, float]:
    """Every knob of ``genome`` at ``beta`` (what the generated schedule returns)."""
    g = normalize(genome)
    return {n: KNOBS[n].value(b, s, beta) for n, (b, s) in g["coefs"].items()}


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

SEEDS: dict[str, Genome] = {"cmc": CMC_LIKE, "parallel-probe": PARALLEL_PROBE_LIKE,
                            "asc": ASC_LIKE}


def seed_genome(name: str) -> Genome:
    """A copy of a named seed design (``cmc``, ``parallel-probe``, ``asc``)."""
    if name not in SEEDS:
        raise ValueError(f"unknown seed design {name!r}; known: {', '.join(SEEDS)}")
    return copy.deepcopy(SEEDS[name])
