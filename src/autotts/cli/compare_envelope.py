"""``autotts compare --envelope``: A's and B's accuracy difference to the
best-baseline envelope at their own tokens, per store and on the mean over
the stores (see :mod:`autotts.evaluation.envelope_gap` for what the bootstrap
resamples). On the mean over stores the bootstrap resamples problems, as the
verdict does: stores of one dataset (``Qwen3-4B/aime24``, ``Qwen3-8B/aime24``)
share one draw of question indices."""

from __future__ import annotations

from typing import Any

from autotts.evaluation.envelope_baselines import envelope_specs, rated_curves, rated_point
from autotts.evaluation.envelope_gap import envelope_gap
from autotts.evaluation.protocol import EvalResult
from autotts.evaluation.runner import Cell, run_cells
from autotts.evaluation.verdict import dataset_of


def run_envelope_baselines(refs, *, seeds: int, workers: int, progress: bool) -> list[list]:
    """Evaluate every envelope setting on every store; returns per store the
    (family label, EvalResult) pairs."""
    specs = envelope_specs()
    cells = [Cell(ref.name, str(ref.path), spec) for ref in refs for _, spec in specs]
    results = run_cells(cells, seeds=seeds, workers=workers, progress=progress,
                        description="envelope baselines")
    n = len(specs)
    return [[(label, r) for (label, _), r in zip(specs, results[i * n:(i + 1) * n])]
            for i in range(len(refs))]


def gap_block(a: list[EvalResult], b: list[EvalResult], base: list[list], *,
              resamples: int, seed: int) -> dict[str, Any]:
    """Envelope gaps of A and B over the stores of ``a``/``b``; ``base`` holds,
    per store in the same order, the (label, result) pairs of the envelope."""
    labelled = [(label, [per_store[j][1] for per_store in base])
                for j, (label, _) in enumerate(base[0])]
    curves = rated_curves(labelled)
    kw = {"resamples": resamples, "seed": seed, "datasets": [dataset_of(r.env) for r in a]}
    return {"a": envelope_gap(rated_point(a), curves, **kw).to_dict(),
            "b": envelope_gap(rated_point(b), curves, **kw).to_dict()}
