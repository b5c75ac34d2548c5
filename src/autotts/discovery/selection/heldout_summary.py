"""Held-out points of a run's picks against the references, for the report (descriptive;
the pre-registered verdict is :mod:`autotts.discovery.selection.run_verdict`).

Means over the held-out stores of each pick's beta grid, each point's share of
SC@64's tokens, whether it reaches SC@64's accuracy at <= 35% of its tokens
(the built-in search's acceptance bar), and paired bootstrap intervals (over
questions, stratified by store) of the pick against SC@64, ASC and the paper's
CMC at beta 0.5 and 1.0. CMC is computed here, for the report only: it is not
a seed baseline, so the agent never sees it.
"""

from __future__ import annotations

import json

from autotts.controllers.spec import ControllerSpec
from autotts.discovery.selection.envelope_report import envelope_rows
from autotts.evaluation import stats
from autotts.evaluation.runner import Cell, run_cells
from autotts.fileio import write_atomic

TOKEN_SHARE_BAR = 0.35
REFERENCES = {"SC@64": ("sc", {"n": 64}), "ASC": ("asc", {"max_samples": 64})}
CMC_BETAS = (0.5, 1.0)
# Single-beta reference controllers drawn over the run's beta grid in the held-out
# curves (curve name -> registry id), each only when its id is registered.
BETA_CURVES = {"CMC": "cmc", "short-m@k": "short-m@k-beta"}


def reference_rows(run, base: list[dict]) -> dict[str, list[dict]]:
    """Name -> per-store rows (store, accuracy, tokens, question_correct_rate) in
    held-out store order, for SC@64, ASC and CMC at beta 0.5 and 1.0."""
    stores = [s["name"] for s in run.store_refs("held_out")]
    out: dict[str, list[dict]] = {}
    for name, (cid, params) in REFERENCES.items():
        rows = {r["store"]: r for r in base
                if r["controller"] == cid and all(r["params"].get(k) == v
                                                  for k, v in params.items())}
        if all(s in rows for s in stores):
            out[name] = [rows[s] for s in stores]
    cmc = cmc_reference(run)
    for row in cmc:
        out.setdefault(row["name"], []).append(row)
    return out


def cmc_reference(run) -> list[dict]:
    """The paper's CMC at ``CMC_BETAS`` on held-out (written once to
    RUN/final/reference_cmc.json; the held-out phase calls this explicitly).
    Taken from the envelope's CMC curve, which has these betas, when it is
    there; evaluated here otherwise."""
    path = run.dir / "final" / "reference_cmc.json"
    if path.exists():
        return json.loads(path.read_text())
    stores = [s["name"] for s in run.store_refs("held_out")]
    found = _grid_rows(envelope_rows(run), "cmc", CMC_BETAS, stores)
    if found is None:
        cells = [Cell(s["name"], s["path"], ControllerSpec("cmc", params={"beta": b}))
                 for b in CMC_BETAS for s in run.store_refs("held_out")]
        results = run_cells(cells, seeds=run.cfg.seed_list, workers=run.workers())
        found = [{"beta": c.spec.params["beta"], "store": r.env, "accuracy": r.accuracy,
                  "tokens": r.tokens, "question_correct_rate": r.question_correct_rate}
                 for c, r in zip(cells, results)]
    cmc = [{"name": f"CMC beta={r['beta']}", "store": r["store"], "accuracy": r["accuracy"],
            "tokens": r["tokens"], "question_correct_rate": r["question_correct_rate"]}
           for r in found]
    write_atomic(path, json.dumps(cmc))
    return cmc


def _grid_rows(rows: list[dict], cid: str, betas, stores: list[str]) -> list[dict] | None:
    """Rows (beta, store, accuracy, tokens, question_correct_rate) of single-beta
    controller ``cid`` at every beta of ``betas`` on every store, beta-major,
    or None when ``rows`` lack any of them."""
    index = {(r["params"]["beta"], r["store"]): r for r in rows
             if r["controller"] == cid and set(r["params"]) == {"beta"}}
    if any((b, s) not in index for b in betas for s in stores):
        return None
    return [{"beta": b, "store": s, "accuracy": index[b, s]["accuracy"],
             "tokens": index[b, s]["tokens"],
             "question_correct_rate": index[b, s]["question_correct_rate"]}
            for b in betas for s in stores]


def beta_curve_rows(run, skip: set[str] = frozenset()) -> dict[str, list[dict]]:
    """Map name -> rows (beta, store, accuracy, tokens) of each registered controller of
    BETA_CURVES whose id is not in ``skip``, at every beta of the run's grid on the
    held-out stores. Taken from the envelope's rows where they cover the grid (the
    default grid), else evaluated; kept in final/heldout_beta_curves.json."""
    from autotts.controllers.registry import available

    known = available()
    wanted = {name: cid for name, cid in BETA_CURVES.items() if cid in known and cid not in skip}
    path = run.dir / "final" / "heldout_beta_curves.json"
    have = json.loads(path.read_text()) if path.exists() else {}
    missing = {name: cid for name, cid in wanted.items() if name not in have}
    if missing:
        stores = [s["name"] for s in run.store_refs("held_out")]
        envelope = envelope_rows(run)
        for name, cid in list(missing.items()):
            found = _grid_rows(envelope, cid, run.cfg.betas, stores)
            if found is not None:
                have[name] = [{k: r[k] for k in ("beta", "store", "accuracy", "tokens")}
                              for r in found]
                del missing[name]
        cells = [(name, b, Cell(s["name"], s["path"], ControllerSpec(cid, params={"beta": b})))
                 for name, cid in missing.items() for b in run.cfg.betas
                 for s in run.store_refs("held_out")]
        results = run_cells([c for _, _, c in cells], seeds=run.cfg.seed_list,
                            workers=run.workers(), description="held-out reference curves"
                            ) if cells else []
        for (name, b, _), r in zip(cells, results):
            have.setdefault(name, []).append({"beta": b, "store": r.env, "accuracy": r.accuracy,
                                              "tokens": r.tokens})
        write_atomic(path, json.dumps(have))
    return {name: have[name] for name in wanted}


def _mean(rows, key: str) -> float:
    return sum(r[key] for r in rows) / len(rows)


def pick_points(cells) -> list[dict]:
    """Per beta setting of a pick: rows per store (held-out store order kept)."""
    groups: dict[str, list] = {}
    for c in cells:
        groups.setdefault(repr(sorted(c.params.items())), []).append(c)
    return [{"params": g[0].params, "rows": [c.__dict__ for c in g]} for g in groups.values()]


def summary_lines(run, sel: dict, base: list[dict], held_cells: dict[int, list]) -> list[str]:
    """Markdown lines: the grid table with the 35% bar, then the bootstrap comparisons."""
    refs = reference_rows(run, base)
    if "SC@64" not in refs:
        return ["(no SC@64 rows on held-out; no verdict)"]
    sc_acc, sc_tok = _mean(refs["SC@64"], "accuracy"), _mean(refs["SC@64"], "tokens")
    lines = [f"SC@64 held-out mean: {sc_acc:.2f}% at {sc_tok / 1e3:.1f}k tokens. "
             f"Bar: accuracy >= {sc_acc:.2f} with tokens <= {TOKEN_SHARE_BAR:.0%} of SC@64's "
             f"({TOKEN_SHARE_BAR * sc_tok / 1e3:.1f}k).", "",
             "| method | accuracy | tokens | share of SC@64 | meets bar |", "|---|---|---|---|---|"]
    for name, rows in refs.items():
        acc, tok = _mean(rows, "accuracy"), _mean(rows, "tokens")
        lines.append(f"| {name} | {acc:.2f} | {tok / 1e3:.1f}k | {tok / sc_tok:.1%} | "
                     f"{'yes' if acc >= sc_acc and tok <= TOKEN_SHARE_BAR * sc_tok else 'no'} |")
    compared = []
    for kind, n in sel.get("picks", {}).items():
        if n is None or n in [c[0] for c in compared]:
            continue
        for pt in pick_points(held_cells.get(n, [])):
            acc, tok = _mean(pt["rows"], "accuracy"), _mean(pt["rows"], "tokens")
            ok = acc >= sc_acc and tok <= TOKEN_SHARE_BAR * sc_tok
            label = ", ".join(f"{k}={v}" for k, v in pt["params"].items())
            lines.append(f"| pick r{n} ({kind}), {label} | {acc:.2f} | {tok / 1e3:.1f}k | "
                         f"{tok / sc_tok:.1%} | {'**yes**' if ok else 'no'} |")
            if pt["params"].get("beta") in CMC_BETAS or ok:
                compared.append((n, label, pt["rows"]))
    lines += ["", "Paired bootstrap over questions (10,000 resamples, stratified by store): "
              "pick minus reference, accuracy points [95% interval].", "",
              "| pick | vs " + " | vs ".join(refs) + " |", "|---" * (len(refs) + 1) + "|"]
    for n, label, rows in compared:
        a = [r["question_correct_rate"] for r in rows]
        cells = []
        for ref in refs.values():
            d = stats.paired_difference(a, [r["question_correct_rate"] for r in ref])
            cells.append(f"{d.estimate:+.2f} [{d.lo:+.2f}, {d.hi:+.2f}]")
        lines.append(f"| r{n}, {label} | " + " | ".join(cells) + " |")
    return lines
