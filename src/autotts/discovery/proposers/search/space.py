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
    Knob("margin", True, 1, 20, +1, (2, 4), 1,
         "votes the leading finished answer must be ahead by"),
    # finish order, length and stability weights
    Knob("first_m", True, 1, 32, +1, (2, 6), 1.5, "first finishers that vote (and may stop)"),
    Knob("len_power", False, 0.0, 4.0, 0, (1.0, 0.0), 0.3,
         "how strongly a longer finished trace is down-weighted"),
    Knob("steady_weight", False, 0.0, 4.0, 0, (1.0, 0.0), 0.3,
         "extra weight of a finished branch whose probes had settled"),
    Knob("prune_conf", False, 0.5, 0.999, +1, (0.8, 0.15), 0.05,
         "finished-vote confidence from which dissenting branches are pruned"),
    Knob("settle_len", True, 2, 40, +1, (6, 10), 2,
         "equal probes in a row after which a branch exits early"),
    Knob("after_burst", True, 1, 6, 0, (2, 0), 0.6,
         "intervals every live branch takes per step once one has finished"),
]}

CORE_KNOBS = ("n_init", "max_branches", "warm_up", "refill")
EMA_KNOBS = ("ema_alpha", "trend_len")  # read by every part that watches the confidence EMA

# slot -> variant -> knobs that variant reads (besides the core knobs)
SLOTS: dict[str, dict[str, tuple[str, ...]]] = {
    "vote": {"completed": (), "latest": (), "recent": ("decay",), "first": ("first_m",),
             "length": ("len_power",), "steady": ("steady_weight",)},
    "widen": {"none": (), "burst": ("widen_size", "every"),
              "staged": ("widen_size", "every", "widen_conf"),
              "stalled": ("widen_size", "stall", "widen_conf") + EMA_KNOBS,
              "window": ("lanes",), "disagree": ("widen_size", "share")},
    "depth": {"uniform": ("depth_burst",), "aligned": ("aligned_burst",),
              "paced": ("aligned_burst", "after_burst"), "oldest": ("lanes",)},
    "prune": {"none": (), "patience": ("patience",), "keep_k": ("patience", "keep"),
              "disagree": ("prune_conf", "keep"), "settle": ("settle_len",)},
    "stop": {"confidence": ("conf_thresh", "min_votes"),
             "momentum": ("conf_thresh", "min_votes", "slack") + EMA_KNOBS,
             "stable": ("stable_steps",), "converged": ("streak", "min_votes"),
             "margin": ("margin",), "first_m": ("first_m",)},
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
