"""After the search: pick controllers, evaluate them once on held-out.

Picks: the best mean search-split accuracy over the grid (the paper's rule)
and the largest frontier area (ours). In screening mode the picks are made on
full-seed re-runs of the contenders (see screening.py), never on screened
numbers. Every ok round's "beta = 1" point is also evaluated on held-out (the
paper's Figure 4), and the picks' whole grid; held-out always uses all seeds.
Held-out stores are only opened now, after the last round, and only in
sandboxed children that receive gold-free copies.
"""

from __future__ import annotations

import json
import math

from autotts.discovery.evaluate import evaluate_candidate
from autotts.discovery.integrity import file_intact, seal_file, trusted
from autotts.discovery.loop import round_states
from autotts.discovery.rounds import best_round
from autotts.discovery.rundir import Run
from autotts.discovery.screening import full_stage, with_full_scores
from autotts.discovery.state import RunLock, now, read_json, round_dir, write_json


def picks(done: list[dict]) -> dict[str, int | None]:
    """Round numbers picked by best accuracy and by frontier area (None when no round is ok)."""
    ok = [s for s in done if s.get("status") == "ok"]
    by_acc = best_round(done)
    scored = [s for s in ok if not math.isnan(s["score"].get("area", math.nan))]
    by_area = max(scored, key=lambda s: (s["score"]["area"], -s["round"])) if scored else None
    return {"accuracy": by_acc["round"] if by_acc else None,
            "area": by_area["round"] if by_area else None}


def _held_out_round(run: Run, st: dict, full: bool) -> dict:
    """Evaluate one round on held-out (cached in RUN/final/heldout_rNNNN.json)."""
    rel = f"final/heldout_r{st['round']:04d}.json"
    path = run.dir / rel
    cached = read_json(path)
    # a cached result is used only while its seal holds; otherwise it is re-derived
    if cached is not None and (cached.get("full") or not full) \
            and file_intact(run, rel, st["round"]):
        return cached
    grid = st["grid"] if full else [st["score"]["top_params"]]
    source = (round_dir(run.dir, st["round"]) / "candidate.py").read_text()
    res = evaluate_candidate(source, st["class_name"], run.held_out_stores, grid,
                             run.cfg.seed_list, run.sandbox())
    doc = {"round": st["round"], "full": full, "grid": grid, **res.to_dict()}
    write_json(path, doc)
    seal_file(run, rel, st["round"])
    return doc


def finalize(run: Run) -> dict:
    """Select and evaluate on held-out (idempotent; resumes after a kill)."""
    path = run.dir / "final" / "selection.json"
    with RunLock(run.dir):
        # tampered rounds are excluded here (and named in run.json and the report)
        done = trusted(run, [s for s in round_states(run) if s["phase"] == "done"])
        screening = None
        if run.cfg.screening:  # re-run the contenders on all seeds, pick on those numbers
            done, contenders = full_stage(run, done)
            chosen = picks(with_full_scores(done))
            screening = {"screen_seeds": run.cfg.screen_seeds, "seeds": run.cfg.seeds,
                         "topk": run.cfg.screen_topk, "considered": contenders}
        else:
            chosen = picks(done)
        if file_intact(run, "baselines/held_out.json") is False:
            (run.dir / "baselines" / "held_out.json").unlink()  # re-derived below
        run.baselines("held_out")
        if file_intact(run, "baselines/held_out.json") is None:
            seal_file(run, "baselines/held_out.json")
        held = {}
        for st in done:
            if st.get("status") == "ok":
                full = st["round"] in chosen.values()
                held[st["round"]] = _held_out_round(run, st, full)
        doc = {"picks": chosen, "rounds": [s["round"] for s in done], "finished": now(),
               "screening": screening,
               "held_out_errors": {n: h["error"] for n, h in held.items() if h.get("error")}}
        write_json(path, doc)
        seal_file(run, "final/selection.json")
        run.meta["status"] = "finished"
        run.save_meta()
        return json.loads(json.dumps(doc))
