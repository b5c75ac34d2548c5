"""Which baseline settings make up the best-baseline envelope, and turning
their results into curves of :class:`~autotts.evaluation.envelope_gap.RatedPoint`.

Every family sweeps one budget knob with the other parameters at their
defaults (the paper's Table-1 settings): SC, ASC and Parallel-Probe over
widths 1..64, ESC over 8..64 (whole windows of 8), CMC and short-m@k (its
single-beta form) over beta 0, 0.1, ..., 1.
"""

from __future__ import annotations

from collections.abc import Sequence

from autotts.controllers.spec import ControllerSpec
from autotts.evaluation.envelope_gap import RatedPoint
from autotts.evaluation.protocol import EvalResult

WIDTHS = (1, 2, 4, 8, 16, 32, 64)
BETAS = tuple(round(0.1 * k, 1) for k in range(11))

#: label -> (controller id, knob, values)
ENVELOPE_FAMILIES: dict[str, tuple[str, str, tuple]] = {
    "SC": ("sc", "n", WIDTHS),
    "ASC": ("asc", "max_samples", WIDTHS),
    "ESC": ("esc", "max_samples", (8, 16, 32, 64)),
    "Parallel-Probe": ("parallel-probe", "num_chains", WIDTHS),
    "CMC": ("cmc", "beta", BETAS),
    "short-m@k": ("short-m@k-beta", "beta", BETAS),
}


def envelope_specs() -> list[tuple[str, ControllerSpec]]:
    """(family label, spec) for every setting of every envelope family."""
    return [(label, ControllerSpec(cid, params={knob: v}))
            for label, (cid, knob, values) in ENVELOPE_FAMILIES.items() for v in values]


def rated_curves(labelled: Sequence[tuple[str, Sequence[EvalResult]]]
                 ) -> dict[str, list[RatedPoint]]:
    """Curves from (family label, one result per store) pairs: each point's
    tokens and accuracy are means over the stores, its rates one list per store."""
    out: dict[str, list[RatedPoint]] = {}
    for label, results in labelled:
        out.setdefault(label, []).append(rated_point(results))
    return out


def rated_point(results: Sequence[EvalResult]) -> RatedPoint:
    """One setting over one or more stores (means over stores, per-store rates)."""
    n = len(results)
    return RatedPoint(tokens=sum(r.tokens for r in results) / n,
                      accuracy=sum(r.accuracy for r in results) / n,
                      rates=[list(r.question_correct_rate) for r in results])
