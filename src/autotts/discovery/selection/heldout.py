"""After the search: pick controllers within the budget, evaluate them once on held-out.

Picks (the rules in picks.py): the best mean search-split accuracy over the grid (the paper's rule)
and the largest frontier area (ours) or, for a proposer with its own fitness
rule (the built-in search), the best fitness instead: what the search
maximised. The primary pick (picks.primary_pick, written to selection.json
as "primary") is the fitness pick when the proposer has a fitness rule, else
the accuracy pick: its verdict is the run's. In screening mode the picks are
made on full-seed re-runs of the contenders (see few_seed.py), never on
screened numbers. Every ok round's "beta = 1" point is also evaluated on
held-out (the paper's Figure 4), and the picks' whole grid; held-out always
uses all seeds. Held-out stores are only opened now, after the last round,
and only in sandboxed children that receive gold-free copies.
"""

from __future__ import annotations

import json
import time

from autotts.discovery.round.state import round_states
from autotts.discovery.run.baselines import compute_baselines
from autotts.discovery.run.budget import REPORT_S, Budget, held_out_grid_s
from autotts.discovery.run.directory import Run
from autotts.discovery.run.files import now, read_json, round_dir, write_json
from autotts.discovery.run.integrity import file_intact, seal_file, trusted
from autotts.discovery.run.lock import RunLock
from autotts.discovery.run.progress import Phases
from autotts.discovery.sandbox.evaluate import evaluate_candidate
from autotts.discovery.sandbox.generated import evaluate_generated
from autotts.discovery.selection.few_seed import full_stage, with_full_scores
from autotts.discovery.selection.heldout_summary import beta_curve_rows, cmc_reference
from autotts.discovery.selection.picks import picks, primary_pick


def budget_picks(run: Run, done: list[dict], budget: Budget | None) -> tuple[dict, list[str]]:
    """The picks, within what is left of the wall budget after the held-out
    baselines and the report; returns (picks, notes on rounds passed over)."""
    free = picks(done)
    if budget is None or not budget.limited:
        return free, []
    held_scale = len(run.store_refs("held_out")) / max(1, len(run.store_refs("search")))
    kw = dict(seeds=run.cfg.run.seeds, screen_seeds=run.cfg.run.screen_seeds,
              held_scale=held_scale)
    allowance = budget.left_s() - REPORT_S \
        - float(run.meta.get("baselines_wall_s", 0.0)) * held_scale
    # a grid already evaluated (a resumed finalize) costs nothing more
    grid = {s["round"]: 0.0 if _cached_held_out(run, s["round"], full=True)
            else held_out_grid_s(s, **kw) for s in done if s.get("status") == "ok"}
    chosen = picks(done, lambda s: grid[s["round"]], allowance)
    notes = [f"round {free[k]}, the best by {k}, is not a pick: its held-out grid (about "
             f"{grid[free[k]] / 60:.1f} min) does not fit the {max(0.0, allowance) / 60:.1f} min "
             f"left of the wall budget beside the other pick; round {chosen[k]} is"
             for k in free if free[k] != chosen[k]]
    return chosen, notes


def _cached_held_out(run: Run, round_n: int, full: bool) -> dict | None:
    """A round's held-out result already on disk (whole grid if ``full``), or None.
    It counts only while its seal holds; otherwise it is re-derived."""
    rel = f"final/heldout_r{round_n:04d}.json"
    cached = read_json(run.dir / rel)
    if cached is not None and (cached.get("full") or not full) and file_intact(run, rel, round_n):
        return cached
    return None


def _held_out_round(run: Run, st: dict, full: bool) -> dict:
    """Evaluate one round on held-out (cached in RUN/final/heldout_rNNNN.json)."""
    cached = _cached_held_out(run, st["round"], full)
    if cached is not None:
        return cached
    rel = f"final/heldout_r{st['round']:04d}.json"
    path = run.dir / rel
    grid = st["grid"] if full else [st["score"]["top_params"]]
    source = (round_dir(run.dir, st["round"]) / "candidate.py").read_text()
    res = (evaluate_generated(source, st["class_name"], run.held_out_stores, grid,
                              run.cfg.run.seed_list, run.sandbox(), executor=run.executor)
           or evaluate_candidate(source, st["class_name"], run.held_out_stores, grid,
                                 run.cfg.run.seed_list, run.sandbox()))
    doc = {"round": st["round"], "full": full, "grid": grid, **res.to_dict()}
    write_json(path, doc)
    seal_file(run, rel, st["round"])
    return doc


def finalize(run: Run, *, budget: Budget | None = None, phases: Phases | None = None) -> dict:
    """Select and evaluate on held-out (idempotent; resumes after a kill).

    With a ``budget``, the picks are always evaluated; the other rounds'
    held-out points (Figure 4) only while they fit before the deadline, the
    rest are listed under ``held_out_skipped``.
    """
    phases = phases or Phases(lambda _: None, tty=False)
    path = run.dir / "final" / "selection.json"
    with RunLock(run.dir):
        # tampered rounds are excluded here (and named in run.json and the report)
        done = trusted(run, [s for s in round_states(run) if s["phase"] == "done"])
        screening = None
        if run.cfg.run.screening:  # re-run the contenders on all seeds, pick on those numbers
            with phases.phase("selection: full-seed re-runs of the contenders"):
                done, contenders = full_stage(run, done)
            chosen, passed_over = budget_picks(run, with_full_scores(done), budget)
            screening = {"screen_seeds": run.cfg.run.screen_seeds, "seeds": run.cfg.run.seeds,
                         "topk": run.cfg.run.screen_topk, "considered": contenders}
        else:
            chosen, passed_over = budget_picks(run, done, budget)
        if budget is not None:  # only a limited budget passes a round over
            for note in passed_over:
                budget.note(note)
        # every held-out reference (baselines, the envelope's extra curves, CMC) in one
        # phase, before the picks: the report then only reads them
        with phases.phase("baselines and reference curves on the held-out split"):
            if file_intact(run, "baselines/held_out.json") is False:
                (run.dir / "baselines" / "held_out.json").unlink()  # re-derived below
            compute_baselines(run, "held_out")
            if file_intact(run, "baselines/held_out.json") is None:
                seal_file(run, "baselines/held_out.json")
            cmc_reference(run)
            beta_curve_rows(run)
        held, skipped = _held_out(run, done, chosen, budget, phases)
        doc = {"picks": chosen, "primary": primary_pick(chosen, run.fitness is not None),
               "rounds": [s["round"] for s in done], "finished": now(),
               "screening": screening,
               "held_out_errors": {n: h["error"] for n, h in held.items() if h.get("error")}}
        if skipped:
            doc["held_out_skipped"] = skipped
        write_json(path, doc)
        seal_file(run, "final/selection.json")
        run.meta["status"] = "finished"
        run.save_meta()
        return json.loads(json.dumps(doc))


def _held_out(run: Run, done: list[dict], chosen: dict, budget: Budget | None,
              phases: Phases) -> tuple[dict[int, dict], list[int]]:
    """Held-out evaluations: the picks' whole grids first, then every other ok
    round's top point while the budget allows; returns (docs, skipped rounds)."""
    ok = [s for s in done if s.get("status") == "ok"]
    first = [s for s in ok if s["round"] in chosen.values()]
    rest = [s for s in ok if s["round"] not in chosen.values()]
    held: dict[int, dict] = {}
    skipped: list[int] = []
    points, t0 = 0, time.monotonic()
    with phases.phase("held-out evaluation", len(ok)) as tick:
        for st in first + rest:
            full = st in first
            per_point = (time.monotonic() - t0) / points if points else 0.0
            if not full and budget is not None and not budget.fits(per_point + REPORT_S):
                skipped.append(st["round"])
                continue
            held[st["round"]] = _held_out_round(run, st, full)
            points += len(st["grid"]) if full else 1
            tick()
    if skipped and budget is not None:
        budget.note(f"held-out points of rounds {', '.join(map(str, skipped))} skipped to keep "
                    "the wall budget (the picks were evaluated in full)")
    return held, sorted(skipped)
