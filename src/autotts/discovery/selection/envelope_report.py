"""The discovery report's best-baseline envelope: the picks' held-out accuracy
minus the upper envelope of every baseline's curve at the same tokens.

The envelope's families are :data:`autotts.evaluation.envelope_baselines.ENVELOPE_FAMILIES`
(SC, ASC, ESC, Parallel-Probe, CMC, short-m@k). The run's own held-out
baseline rows are used where they cover a family; the families they lack
(CMC always: the agent is never shown it) are evaluated once on the held-out
stores and cached in ``RUN/baselines/held_out_envelope.json``.
"""

from __future__ import annotations

import json
import math

from autotts.controllers.spec import ControllerSpec
from autotts.discovery.run.directory import Run
from autotts.discovery.run.files import read_json, write_json
from autotts.discovery.sandbox.evaluate import CellResult
from autotts.evaluation.envelope_baselines import ENVELOPE_FAMILIES
from autotts.evaluation.envelope_gap import (
    RESAMPLED_PROBLEMS,
    EnvelopeGap,
    RatedPoint,
    envelope_gap,
)
from autotts.evaluation.pareto import envelope_curve
from autotts.evaluation.runner import Cell, run_cells
from autotts.evaluation.verdict import dataset_of

LABEL_OF = {cid: label for label, (cid, _, _) in ENVELOPE_FAMILIES.items()}


def envelope_rows(run: Run) -> list[dict]:
    """Held-out rows of every envelope family: the run's baselines plus the
    missing families (computed once, then read back)."""
    rows = [r for r in run.baselines("held_out") if r["controller"] in LABEL_OF]
    have = {r["controller"] for r in rows}
    path = run.dir / "baselines" / "held_out_envelope.json"
    extra = read_json(path)
    if extra is None:
        specs = [ControllerSpec(cid, params={knob: v})
                 for cid, knob, values in ENVELOPE_FAMILIES.values() if cid not in have
                 for v in values]
        cells = [Cell(env=s["name"], path=s["path"], spec=spec)
                 for s in run.store_refs("held_out") for spec in specs]
        results = run_cells(cells, seeds=run.cfg.seed_list, workers=run.workers(),
                            progress=True, description="envelope baselines")
        extra = [{"store": r.env, "controller": c.spec.id, "params": dict(c.spec.params),
                  "accuracy": r.accuracy, "tokens": r.tokens,
                  "question_correct_rate": r.question_correct_rate,
                  "question_tokens": r.question_tokens}
                 for r, c in zip(results, cells)]
        write_json(path, extra)
    return rows + [r for r in extra if r["controller"] not in have]


def _curves(rows: list[dict], stores: list[str]) -> dict[str, list[RatedPoint]]:
    """Per family, one point per setting present on every store in ``stores``
    (means over the stores, per-store rates in ``stores`` order)."""
    by_setting: dict[tuple[str, str], dict[str, dict]] = {}
    for r in rows:
        key = (r["controller"], json.dumps(r["params"], sort_keys=True))
        by_setting.setdefault(key, {})[r["store"]] = r
    out: dict[str, list[RatedPoint]] = {}
    for (cid, _), per in by_setting.items():
        if not all(s in per for s in stores):
            continue
        found = [per[s] for s in stores]
        rates = [f.get("question_correct_rate") for f in found]
        out.setdefault(LABEL_OF[cid], []).append(RatedPoint(
            sum(f["tokens"] for f in found) / len(found),
            sum(f["accuracy"] for f in found) / len(found),
            rates if all(rates) else None))
    return out


def _candidate(cells: list[CellResult], stores: list[str]) -> RatedPoint | None:
    by = {c.store: c for c in cells}
    if not all(s in by for s in stores):
        return None
    found = [by[s] for s in stores]
    return RatedPoint(sum(c.tokens for c in found) / len(found),
                      sum(c.accuracy for c in found) / len(found),
                      [c.question_correct_rate for c in found])


def _fmt(g: EnvelopeGap) -> str:
    if math.isnan(g.envelope):
        return "- | - | below every baseline's tokens | -"
    ci = "" if math.isnan(g.lo) else f" [{g.lo:+.2f}, {g.hi:+.2f}]"
    share = "-" if math.isnan(g.frac_le_zero) else f"{g.frac_le_zero:.3f}"
    return f"{g.envelope:.2f} | {g.source} | {g.estimate:+.2f}{ci} | {share}"


def envelope_lines(run: Run, picks: dict[str, tuple[int, dict, list[CellResult]]],
                   rows: list[dict]) -> list[str]:
    """Markdown: per pick (kind -> (round, top params, held-out cells)), its top
    setting's gap to the envelope per held-out store and on their mean."""
    stores = [r["name"] for r in run.store_refs("held_out")]
    lines = ["Accuracy minus the upper envelope of every baseline's held-out curve (SC, ASC, "
             "ESC, Parallel-Probe, CMC, short-m@k; each curve read linearly in log tokens "
             "between its settings, and any cheaper setting counts) at the pick's own tokens, "
             "at the pick's top setting. Interval: 95% bootstrap; resampled: "
             + RESAMPLED_PROBLEMS + ".",
             "", "| pick | store | tokens | accuracy | envelope | set by | difference [95% CI] "
             "| P(<=0) |", "|---|---|---|---|---|---|---|---|"]
    for kind, (n, params, cells) in picks.items():
        top = [c for c in cells if c.params == params]
        for group, name in [([s], s) for s in stores] + [(stores, "held-out mean")]:
            cand = _candidate(top, group)
            if cand is None:
                continue
            g = envelope_gap(cand, _curves(rows, group),
                             datasets=[dataset_of(s) for s in group])
            lines.append(f"| {kind} (r{n}) | {name} | {g.tokens / 1e3:.1f}k | {g.accuracy:.2f} | "
                         f"{_fmt(g)} |")
    return lines


def envelope_points(rows: list[dict], stores: list[str]) -> list[tuple[float, float]]:
    """The held-out-mean envelope sampled for plotting, as (tokens, accuracy)."""
    curves = {k: [(p.tokens, p.accuracy) for p in v] for k, v in _curves(rows, stores).items()}
    return envelope_curve(curves)
