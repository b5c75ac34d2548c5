"""Screening mode: rounds run on a few seeds, the candidates for selection on all.

With ``[run] screen_seeds = S > 0`` each round's candidate is evaluated on
seeds ``0..S-1`` only (``state.json`` and ``results.json`` say ``seeds: S,
screened: true``). Before the held-out evaluation, the rounds considered for
selection are re-evaluated on the search split with all ``seeds``: the top
``screen_topk`` ok rounds by screened best accuracy, the top ``screen_topk``
by screened frontier area (by the proposer's fitness instead, when it has one),
and every ok round that already has full numbers (re-run on request with
``autotts discover full``, or never screened). A re-run is written to
``rounds/rNNNN/results_full.json`` (the screened ``results.json`` is never
touched) and summed up in the round's ``state.json`` under ``full``; the picks
are then made on the full numbers among the considered rounds only.
"""

from __future__ import annotations

import math

from autotts.controllers.contract import contract_violations
from autotts.discovery.round.scoring import score_cells
from autotts.discovery.run.directory import Run
from autotts.discovery.run.files import (
    read_json,
    round_dir,
    save_round_state,
    write_json,
)
from autotts.discovery.run.integrity import file_intact, round_intact, seal_file, seal_round
from autotts.discovery.sandbox.evaluate import CellResult, evaluate_candidate
from autotts.discovery.sandbox.generated import evaluate_generated
from autotts.discovery.selection.picks import second_rule

FULL_FILE = "results_full.json"


def considered(done: list[dict], topk: int) -> list[dict]:
    """Ok rounds to re-run in full: top-k by screened accuracy, top-k by the
    screened second rule (area, or the proposer's fitness), and rounds that
    already have full numbers (round order)."""
    ok = [s for s in done if s.get("status") == "ok"]
    key = second_rule(ok)
    by_acc = sorted(ok, key=lambda s: (-s["score"]["best_accuracy"], s["round"]))[:topk]
    scored = [s for s in ok if not math.isnan(s["score"].get(key, math.nan))]
    by_key = sorted(scored, key=lambda s: (-s["score"][key], s["round"]))[:topk]
    chosen = {s["round"] for s in by_acc + by_key}
    chosen |= {s["round"] for s in ok if s.get("full") or not s.get("screened")}
    return [s for s in ok if s["round"] in chosen]


def _full_record(run: Run, doc: dict) -> dict:
    """Score and contract check of a full re-run (what ``state.json`` keeps as ``full``)."""
    if doc.get("error") or not doc.get("cells"):
        return {"status": "failed", "seeds": doc.get("seeds"), "error": doc.get("error")}
    cells = [CellResult(**c) for c in doc["cells"]]
    sc64 = run.sc64("search")
    score = score_cells(cells, sc64, contract=run.cfg.contract.enabled, fitness=run.fitness)
    problems = []
    if run.cfg.contract.enabled:
        problems = contract_violations(cells, sc64_tokens=sc64,
                                       **run.cfg.contract.rule())
    return {"status": "invalid" if problems else "ok", "seeds": doc["seeds"], "score": score,
            "error": "beta contract: " + "\n".join(problems) if problems else None}


def full_evaluate(run: Run, st: dict) -> dict:
    """Re-evaluate a screened ok round on the search split with all seeds, once.

    Returns the round's state with ``full`` set (saved). A ``results_full.json``
    left by an interrupted call is reused, not recomputed.
    """
    if st.get("full") is not None:
        return st
    if st.get("status") != "ok":
        raise ValueError(f"round {st['round']} is {st.get('status')}, not ok: nothing to re-run")
    rdir = round_dir(run.dir, st["round"])
    # Only a round untouched since archiving gets its digest refreshed after we add a file.
    untouched = round_intact(run, st)
    rel = f"rounds/r{st['round']:04d}/{FULL_FILE}"
    doc = read_json(rdir / FULL_FILE)
    # reused after a kill only when sealed (written by us, unchanged since)
    if (doc is None or doc.get("seeds") != run.cfg.run.seeds
            or not file_intact(run, rel, st["round"])):
        source = (rdir / "candidate.py").read_text()
        args = (source, st["class_name"], run.search_stores, st["grid"],
                run.cfg.run.seed_list, run.sandbox())
        res = evaluate_generated(*args, executor=run.executor) or evaluate_candidate(*args)
        doc = {"round": st["round"], "seeds": run.cfg.run.seeds, "screened": False, **res.to_dict()}
        write_json(rdir / FULL_FILE, doc)
        seal_file(run, rel, st["round"])
    st["full"] = _full_record(run, doc)
    if untouched:
        st["digest"] = seal_round(run, st)
    save_round_state(run.dir, st)
    return st


def full_stage(run: Run, done: list[dict]) -> tuple[list[dict], list[int]]:
    """Re-run the considered rounds in full; returns (updated states, considered round numbers)."""
    chosen = {s["round"] for s in considered(done, run.cfg.run.screen_topk)}
    states = [full_evaluate(run, s) if s["round"] in chosen and s.get("screened") else s
              for s in done]
    return states, sorted(chosen)


def with_full_scores(done: list[dict]) -> list[dict]:
    """Ok rounds with full numbers, the full score as ``score`` (what selection compares)."""
    out = []
    for s in done:
        if s.get("status") == "ok" and not s.get("screened"):
            out.append(s)  # evaluated on all seeds in the first place
        elif (s.get("full") or {}).get("status") == "ok":
            out.append({**s, "score": s["full"]["score"]})
    return out
