"""Scaling curves as data: which knob each method sweeps, and the points.

Each method family sweeps one budget knob with every other parameter fixed at
its Table-1 setting, so the last point of each baseline curve (width 64) and
CMC's beta 0.5 and 1.0 points are exactly the Table-1 cells.

ESC reads whole windows of 8 branches, so its width starts at 8 (8..64).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from autotts.evaluation.reference import PAPER_TABLE1, RELEASED_CODE, TABLE1_METHODS
from autotts.report.tables import TABLE1_LOOKUP

WIDTHS = (1, 2, 4, 8, 16, 32, 64)
BETAS = tuple(round(0.1 * k, 1) for k in range(11))


@dataclass(frozen=True)
class Family:
    """A method's curve: controller id, the knob it sweeps, its values and fixed params."""

    label: str
    controller_id: str
    knob: str
    values: tuple
    params: dict = field(default_factory=dict)

    def table_values(self) -> tuple:
        """Knob values that are Table-1 cells (the subset run with --no-curves)."""
        return tuple(p[self.knob] for lb, p in TABLE1_LOOKUP.values() if lb == self.label)


def _fixed(method: str, knob: str) -> dict:
    return {k: v for k, v in TABLE1_METHODS[method].params.items() if k != knob}


FAMILIES: tuple[Family, ...] = (
    Family("SC", "sc", "n", WIDTHS, _fixed("SC@64", "n")),
    Family("ASC", "asc", "max_samples", WIDTHS, _fixed("ASC", "max_samples")),
    Family("ESC", "esc", "max_samples", (8, 16, 32, 64), _fixed("ESC", "max_samples")),
    Family("Parallel-Probe", "parallel-probe", "num_chains", WIDTHS,
           _fixed("Parallel-Probe", "num_chains")),
    Family("CMC", "cmc", "beta", BETAS),
)


@dataclass(frozen=True)
class CurvePoint:
    """One setting: tokens per question, accuracy (%) and the knob's value."""

    tokens: float
    accuracy: float
    knob: float


MethodCurves = dict[str, list[CurvePoint]]  # method label -> points in knob order


def _family_points(rows: Sequence[dict], store: str, fam: Family) -> dict[float, CurvePoint]:
    points = {}
    for row in rows:
        if row["env"] != store or row["controller"] != fam.label:
            continue
        params = dict(row["params"])
        value = params.pop(fam.knob, None)
        if value is not None and params == fam.params:
            points[value] = CurvePoint(row["tokens"], row["accuracy"], value)
    return points


def store_curves(rows: Sequence[dict], store: str,
                 families: Sequence[Family] = FAMILIES) -> MethodCurves:
    """Each family's points on one store, sorted by knob; families without rows are left out."""
    out: MethodCurves = {}
    for fam in families:
        pts = _family_points(rows, store, fam)
        if pts:
            out[fam.label] = [pts[k] for k in sorted(pts)]
    return out


def mean_curves(rows: Sequence[dict], stores: Sequence[str],
                families: Sequence[Family] = FAMILIES) -> MethodCurves:
    """Per family and knob value, the mean of tokens and accuracy over ``stores``
    (only knob values present on every store)."""
    out: MethodCurves = {}
    for fam in families:
        per_store = [_family_points(rows, s, fam) for s in stores]
        common = set.intersection(*(set(p) for p in per_store)) if per_store else set()
        pts = [CurvePoint(sum(p[k].tokens for p in per_store) / len(per_store),
                          sum(p[k].accuracy for p in per_store) / len(per_store), k)
               for k in sorted(common)]
        if pts:
            out[fam.label] = pts
    return out


def paper_points(stores: Sequence[str]) -> dict[str, list[tuple[float, float]]]:
    """The Table-1 targets (released code where it differs) as (tokens, accuracy)
    per family, averaged over ``stores``; for hollow reference markers."""
    out: dict[str, list[tuple[float, float]]] = {}
    for method, (label, _) in TABLE1_LOOKUP.items():
        vals = [RELEASED_CODE.get((s, method), PAPER_TABLE1.get((s, method))) for s in stores]
        if not stores or any(v is None for v in vals):
            continue
        acc = sum(v[0] for v in vals) / len(vals)
        tok = 1000 * sum(v[1] for v in vals) / len(vals)
        out.setdefault(label, []).append((tok, acc))
    return out
