"""Reading a finished run into the verdict's inputs, and its verdict per pick.

The pick's settings come from its held-out grid (``final/heldout_rNNNN.json``);
the baselines are every built-in baseline the run evaluated on held-out:
``baselines/held_out.json`` (the run's seed baselines, short-m@k included by
default) plus ``baselines/held_out_envelope.json`` (the envelope families the
run lacks, CMC always). When a run directory kept neither (e.g. the copies
under ``results/``), the same settings are evaluated again in memory (built-in
controllers, the run's seeds: the same numbers) and nothing is written.

Per-question tokens (``question_tokens``) are recorded by runs made after the
verdict was introduced; for older runs every setting's tokens are held fixed
under resampling, and the verdict says so.

The run's verdict is its primary pick's (``"primary"`` in the returned dict;
see :mod:`autotts.discovery.selection.picks`): selection.json names it, and
for a run finished before it did it is derived by the same rule.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from autotts.controllers.spec import ControllerSpec
from autotts.data.catalog import resolve_data_dir
from autotts.discovery.run.baselines import BASELINE_GRIDS
from autotts.discovery.run.directory import Run, open_run
from autotts.discovery.run.files import read_json
from autotts.discovery.run.integrity import file_intact
from autotts.discovery.selection.picks import selection_primary
from autotts.evaluation.envelope_baselines import ENVELOPE_FAMILIES
from autotts.evaluation.runner import Cell, run_cells
from autotts.evaluation.verdict import (
    AT_TOKENS,
    Setting,
    dataset_of,
    gap_vectors,
    log_levels,
    verdict,
)
from autotts.evaluation.verdict_joint import SharedDraws

BASELINE_FILES = ("baselines/held_out.json", "baselines/held_out_envelope.json")


def _key(controller: str, params: dict) -> tuple[str, str]:
    return controller, json.dumps(params, sort_keys=True)


def baseline_specs(run: Run) -> list[ControllerSpec]:
    """Every held-out baseline setting a run of this config evaluates: its seed
    baselines' grids, then the envelope families it lacks."""
    specs = []
    for cid in dict.fromkeys(("sc",) + tuple(run.cfg.run.baselines)):
        knob, values, _ = BASELINE_GRIDS.get(cid, ("", (), 0))
        specs += ([ControllerSpec(cid, params={knob: v}) for v in values] if knob
                  else [ControllerSpec(cid)])
    have = {s.id for s in specs}
    specs += [ControllerSpec(cid, params={knob: v})
              for cid, knob, values in ENVELOPE_FAMILIES.values() if cid not in have
              for v in values]
    return specs


def baseline_rows(run: Run) -> tuple[list[dict], str]:
    """(held-out baseline rows, where they came from): the run's files, and
    every setting of :func:`baseline_specs` they lack evaluated now (in memory)."""
    kept = [rel for rel in BASELINE_FILES if (run.dir / rel).is_file()]
    # Concatenated: baseline_curves keeps the first row of a (setting, store).
    rows = [r for rel in kept for r in read_json(run.dir / rel)]
    have = {_key(r["controller"], r["params"]) for r in rows}
    missing = [s for s in baseline_specs(run) if _key(s.id, dict(s.params)) not in have]
    source = "the run's " + " and ".join(kept) if kept else ""
    if missing:
        rows += _evaluate(run, missing)
        ids = ", ".join(dict.fromkeys(s.id for s in missing))
        source += ("; " if source else "") + (f"re-evaluated now (not kept in the run "
                                               f"directory): {len(missing)} settings of {ids}")
    return rows, source


def _evaluate(run: Run, specs: list[ControllerSpec]) -> list[dict]:
    """Rows of ``specs`` on the held-out stores (built-ins, the run's seeds)."""
    cells = [Cell(s["name"], s["path"], spec) for s in run.store_refs("held_out")
             for spec in specs]
    results = run_cells(cells, seeds=run.cfg.seed_list, workers=run.workers(),
                        description="held-out baselines")
    return [{"store": r.env, "controller": c.spec.id, "params": dict(c.spec.params),
             "accuracy": r.accuracy, "tokens": r.tokens,
             "question_correct_rate": r.question_correct_rate,
             "question_tokens": r.question_tokens} for r, c in zip(results, cells)]


def _setting(found: list[dict], label: str) -> Setting:
    """One setting from its per-store rows (held-out store order)."""
    tokens = [f["question_tokens"] if f.get("question_tokens") else f["tokens"] for f in found]
    return Setting([f["question_correct_rate"] for f in found], tokens, label)


def baseline_curves(rows: list[dict], stores: list[str]) -> dict[str, list[Setting]]:
    """Controller id -> its settings present, with per-question rates, on every store."""
    by: dict[tuple[str, str], dict[str, dict]] = {}
    for r in rows:
        by.setdefault(_key(r["controller"], r["params"]), {}).setdefault(r["store"], r)
    out: dict[str, list[Setting]] = {}
    for (cid, params), per in by.items():
        found = [per.get(s) for s in stores]
        if all(f and f.get("question_correct_rate") for f in found):
            out.setdefault(cid, []).append(_setting(found, f"{cid} {params}"))
    return out


def pick_settings(cells: list[dict], stores: list[str]) -> list[Setting]:
    """The pick's settings (one per params) present on every held-out store."""
    by: dict[str, dict[str, dict]] = {}
    for c in cells:
        by.setdefault(json.dumps(c["params"], sort_keys=True), {})[c["store"]] = c
    return [_setting([per[s] for s in stores], params) for params, per in by.items()
            if all(s in per for s in stores)]


def held_cells(run: Run, n: int) -> tuple[list[dict] | None, str]:
    """(the round's held-out cells or None, a note on its seal)."""
    rel = f"final/heldout_r{n:04d}.json"
    doc = read_json(run.dir / rel)
    if doc is None or not doc.get("cells"):
        return None, f"no held-out grid ({rel} missing or empty)"
    intact = file_intact(run, rel, n)
    if intact is False:
        return None, f"{rel} was edited after sealing: not used"
    return doc["cells"], ("seal checked" if intact else
                          "seal not checked (unsealed, or no run key on this machine)")


def _relocate(run: Run, data: str | None) -> None:
    """Point held-out stores whose recorded file is gone at ``data`` (or
    $AUTOTTS_DATA) by name, so a run copied from another machine re-evaluates."""
    root = resolve_data_dir(data)
    for ref in run.store_refs("held_out"):
        if not Path(ref["path"]).is_file():
            for suffix in (".json.gz", ".json"):
                if (root / f"{ref['name']}{suffix}").is_file():
                    ref["path"] = str(root / f"{ref['name']}{suffix}")
                    break


def _finished(run_dir: Path, data: str | None) -> tuple[Run, dict]:
    """(the run, its selection.json); refuses a run that has not finished."""
    run = open_run(Path(run_dir))
    _relocate(run, data)
    sel = read_json(run.dir / "final" / "selection.json")
    if sel is None:
        raise ValueError(f"{run_dir}: no final/selection.json: the run has not finished")
    return run, sel


def run_verdict(run_dir: Path, *, levels=None, at: float = AT_TOKENS,
                resamples: int = 10_000, seed: int = 0, data: str | None = None) -> dict:
    """The verdict of every pick of the finished run in ``run_dir``; returns a
    JSON-ready dict: run facts, the baselines used, the primary pick's kind
    and per pick its :class:`~autotts.evaluation.verdict.Verdict` (or why
    there is none)."""
    run, sel = _finished(run_dir, data)
    return run_picks_verdict(run, sel, levels=levels, at=at, resamples=resamples, seed=seed)


def _pick_points(run: Run, n: int | None, stores: list[str]) -> tuple[list[Setting], str]:
    """(the settings of round ``n``'s held-out grid, a note on where they came from)."""
    cells, note = held_cells(run, n) if n is not None else (None, "no pick (no ok round)")
    return (pick_settings(cells, stores) if cells else []), note


def run_picks_verdict(run: Run, sel: dict, *, levels=None, at: float = AT_TOKENS,
                      resamples: int = 10_000, seed: int = 0) -> dict:
    """The verdict of the picks of ``sel`` (a selection.json) in ``run``; the
    dict :func:`run_verdict` returns."""
    stores = [s["name"] for s in run.store_refs("held_out")]
    rows, source = baseline_rows(run)
    curves = baseline_curves(rows, stores)
    xs = list(log_levels() if levels is None else levels)
    out = {"run": str(run.dir), "id": run.meta.get("id"), "proposer": run.cfg.proposer.name,
           "search": [s["name"] for s in run.store_refs("search")], "held_out": stores,
           "baselines": {"source": source,
                         "settings": {cid: len(v) for cid, v in curves.items()}},
           "primary": selection_primary(sel), "picks": {}}
    for kind, n in sel.get("picks", {}).items():
        pts, note = _pick_points(run, n, stores)
        entry: dict = {"round": n, "note": note}
        if pts:
            v = verdict(pts, curves, [dataset_of(s) for s in stores], levels=xs, at=at,
                        resamples=resamples, seed=seed)
            entry.update(settings=len(pts), **v.to_dict())
        out["picks"][kind] = entry
    return out


def run_gap_vectors(run_dir: Path, shared: SharedDraws, *, levels=None, at: float = AT_TOKENS,
                    data: str | None = None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per pick with a verdict its (mean gap, gap at ``at``) over ``shared``'s
    draws (:func:`~autotts.evaluation.verdict.gap_vectors`; row 0 the full
    sample): what the fold table averages over jobs for a joint interval."""
    run, sel = _finished(run_dir, data)
    stores = [s["name"] for s in run.store_refs("held_out")]
    curves = baseline_curves(baseline_rows(run)[0], stores)
    datasets = [dataset_of(s) for s in stores]
    out = {}
    for kind, n in sel.get("picks", {}).items():
        pts, _ = _pick_points(run, n, stores)
        if pts:
            draws = shared.get(datasets, [len(r) for r in pts[0].rates])
            out[kind] = gap_vectors(pts, curves, datasets, draws, levels=levels, at=at)
    return out


def pick_name(kind: str, round_n: int | None, primary: str | None) -> str:
    """``fitness (r4, primary)``: the pick's rule, round and whether it is primary."""
    tags = ([f"r{round_n}"] if round_n is not None else []) + \
        (["primary"] if kind == primary else [])
    return f"{kind} ({', '.join(tags)})" if tags else kind


def _ci(g: dict) -> str:
    return f"{g['estimate']:+.2f} [{g['lo']:+.2f}, {g['hi']:+.2f}] | {g['frac_le_zero']:.3f}"


def verdict_markdown(doc: dict) -> list[str]:
    """The report's verdict section (the same figures as ``autotts verdict``)."""
    first = next((p for p in doc["picks"].values() if "mean_gap" in p), None)
    if first is None:
        return ["No pick with a held-out grid: no verdict."]
    lv, at = first["levels"], first["at"]
    out = [f"The pre-registered number (docs/discovery.md, \"The verdict\"): the pick's "
           f"held-out curve minus the best-baseline envelope ({doc['baselines']['source']}: "
           + ", ".join(f"{c} {n}" for c, n in doc["baselines"]["settings"].items())
           + f" settings), averaged at {len(lv)} levels evenly spaced in log tokens over "
           f"[{lv[0] / 1e3:.0f}k, {lv[-1] / 1e3:.0f}k]; also the gap at {at / 1e3:.0f}k. "
           f"{first['level']:.0%} paired bootstrap ({first['resamples']:,} resamples) of "
           f"{first['resampled']}.", "",
           f"| pick | settings | mean gap [95% CI] | P(<=0) | gap at {at / 1e3:.0f}k [95% CI] "
           "| P(<=0) |", "|---|---|---|---|---|---|"]
    for kind, p in doc["picks"].items():
        name = pick_name(kind, p["round"], doc.get("primary"))
        if "mean_gap" in p:
            out.append(f"| {name} | {p['settings']} | {_ci(p['mean_gap'])} | "
                       f"{_ci(p['at_gap'])} |")
        else:
            out.append(f"| {name} | - | {p['note']} | - | - | - |")
    return out
