"""One round as a state machine: proposing -> proposed -> validated -> archiving -> done.

Each phase's output is written atomically before the phase advances, so a
round interrupted at any moment resumes at its recorded phase; a round in
phase ``done`` is never redone. Statuses: ``ok``, ``invalid`` (static
validation or the beta contract failed), ``failed`` (proposer or evaluation
error). A bad round is archived with its error and the run goes on.
"""

from __future__ import annotations

import ast
import json
import time
from pathlib import Path

from autotts.discovery.archive import diff_text, write_round_files, write_traces
from autotts.discovery.contract import contract_violations
from autotts.discovery.evaluate import CellResult, evaluate_candidate
from autotts.discovery.integrity import seal_round
from autotts.discovery.proposers.base import ProposalContext, RoundSummary
from autotts.discovery.proposers.manual import AwaitingSubmission
from autotts.discovery.rundir import Run
from autotts.discovery.scoring import score_cells
from autotts.discovery.state import (
    load_round_state,
    now,
    read_json,
    round_dir,
    save_round_state,
    write_atomic,
    write_json,
)
from autotts.discovery.validate import ValidationError, find_class, validate_source
from autotts.discovery.workspace import refresh_history, render_prompt, template_text


def load_cells(run: Run, n: int) -> list[CellResult] | None:
    doc = read_json(round_dir(run.dir, n) / "results.json")
    if not doc or not doc.get("cells"):
        return None
    return [CellResult(**c) for c in doc["cells"]]


def history(run: Run, done: list[dict]) -> tuple[RoundSummary, ...]:
    """The finished rounds as the proposer interface sees them."""
    out = []
    for st in done:
        n = st["round"]
        cells = load_cells(run, n) or []
        curves: dict[str, list[dict]] = {}
        for c in cells:
            curves.setdefault(c.store, []).append(
                {**c.params, "accuracy": c.accuracy, "tokens": c.tokens, "opened": c.opened})
        src = round_dir(run.dir, n) / "candidate.py"
        out.append(RoundSummary(round=n, status=st["status"], source=src.read_text() if src.is_file()
                                else "", error=st.get("error"), curves=curves,
                                score=_history_score(st), parent=st.get("parent"),
                                meta=st.get("proposal_meta") or {}))
    return tuple(out)


def _history_score(st: dict) -> dict:
    """The round's score, saying how many seeds it rests on and whether it is a screening."""
    score = dict(st.get("score") or {})
    if score:
        score.update(seeds=st.get("seeds"), screened=bool(st.get("screened")))
    return score


def best_round(done: list[dict]) -> dict | None:
    ok = [s for s in done if s.get("status") == "ok"]
    return max(ok, key=lambda s: (s["score"]["best_accuracy"], -s["round"])) if ok else None


def prepare(run: Run, st: dict, done: list[dict], total: int) -> None:
    """Write the prompt, history and starting candidate.py for this round (once)."""
    if st.get("prepared"):
        return
    ws = run.workspace
    refresh_history(ws, run.dir, run.cfg, done)
    names = [r["name"] for r in run.store_refs("search")]
    write_atomic(ws / "PROMPT.md", render_prompt(run.cfg, st["round"], total, names))
    best = best_round(done)
    start = (round_dir(run.dir, best["round"]) / "candidate.py").read_text() if best \
        else template_text("template.py")
    write_atomic(ws / "candidate.py", start)
    st["parent"] = best["round"] if best else None
    st["prepared"] = True
    save_round_state(run.dir, st)


def new_state(n: int, origin: str, seed_file: str | None = None) -> dict:
    return {"round": n, "phase": "proposing", "origin": origin, "seed_file": seed_file,
            "status": None, "error": None, "started": now(), "wall_s": 0.0}


def run_round(run: Run, n: int, proposer, done: list[dict], total: int,
              origin: str = "proposer", seed_file: str | None = None) -> dict:
    """Advance round ``n`` through every remaining phase; returns its final state."""
    st = load_round_state(run.dir, n) or new_state(n, origin, seed_file)
    save_round_state(run.dir, st)
    steps = {"proposing": _propose, "proposed": _validate, "validated": _evaluate,
             "archiving": _archive}
    while st["phase"] != "done":
        t0 = time.monotonic()
        try:
            steps[st["phase"]](run, st, proposer, done, total)
        finally:
            st["wall_s"] = st.get("wall_s", 0.0) + time.monotonic() - t0
        save_round_state(run.dir, st)
    return st


def _fail(st: dict, status: str, error: str) -> None:
    st.update(status=status, error=error, phase="archiving")


def _propose(run: Run, st: dict, proposer, done, total) -> None:
    rdir = round_dir(run.dir, st["round"])
    if st["origin"] == "seed":
        source, transcript, acct = Path(st["seed_file"]).read_text(), f"seeded from {st['seed_file']}", {}
        st["parent"] = None
    else:
        prepare(run, st, done, total)
        ctx = ProposalContext(round=st["round"], workspace=run.workspace,
                              candidate_path=run.workspace / "candidate.py",
                              prompt=(run.workspace / "PROMPT.md").read_text(),
                              history=history(run, done), seed=st["round"])
        try:
            p = proposer.propose(ctx)
        except AwaitingSubmission:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken proposer fails the round, not the run
            write_atomic(rdir / "candidate.py", "")
            _fail(st, "failed", f"proposer error: {type(exc).__name__}: {exc}")
            return
        source, transcript = p.source, p.transcript
        acct = {"input_tokens": p.input_tokens, "output_tokens": p.output_tokens,
                "cost_usd": p.cost_usd}
        st["proposal_meta"] = p.meta
        if isinstance(p.meta.get("parent"), int):
            st["parent"] = p.meta["parent"]
    write_atomic(rdir / "candidate.py", source)
    write_atomic(rdir / "transcript.txt", transcript or "")
    st.update(proposer=getattr(proposer, "name", "seed") if proposer else "seed", **acct)
    st["phase"] = "proposed"


def _validate(run: Run, st: dict, proposer, done, total) -> None:
    source = (round_dir(run.dir, st["round"]) / "candidate.py").read_text()
    cls = run.cfg.class_name or None
    try:
        if run.cfg.static_checks:
            v = validate_source(source, class_name=cls)
            name, api, settings = v.class_name, v.api, v.settings
        else:  # runtime-containment tests only: parse and find the class, nothing more
            name = find_class(ast.parse(source), cls, "candidate.py").name
            api, settings = "unchecked", None
    except (ValidationError, SyntaxError, ValueError) as exc:
        _fail(st, "invalid", f"validation: {exc}")
        return
    if run.cfg.beta_contract:
        grid = [{"beta": b} for b in run.cfg.betas]
    else:
        grid = list(settings or [{}])[: run.cfg.max_settings]
    st.update(class_name=name, api=api, grid=grid, phase="validated")


def _evaluate(run: Run, st: dict, proposer, done, total) -> None:
    rdir = round_dir(run.dir, st["round"])
    source = (rdir / "candidate.py").read_text()
    grid = st["grid"]
    tracing = [grid[0], grid[len(grid) // 2], grid[-1]] if run.cfg.history_traces else [grid[-1]]
    tracing = [json.loads(t) for t in dict.fromkeys(json.dumps(t, sort_keys=True) for t in tracing)]
    seeds = run.cfg.round_seed_list  # a screening prefix when [run] screen_seeds > 0
    res = evaluate_candidate(source, st["class_name"], run.search_stores, grid,
                             seeds, run.sandbox(), trace_settings=tracing)
    st.update(seeds=len(seeds), screened=run.cfg.screening)
    write_json(rdir / "results.json", {"seeds": len(seeds), "screened": run.cfg.screening,
                                       **res.to_dict()})
    write_traces(rdir / "traces.jsonl", res.traces)
    st["isolation"] = res.jobs[0]["isolation"] if res.jobs else None
    st["eval_wall_s"] = res.wall_s
    if res.error:
        _fail(st, "failed", f"evaluation: {res.error}")
        return
    st["score"] = score_cells(res.cells, run.sc64("search"), contract=run.cfg.beta_contract)
    if run.cfg.beta_contract:
        problems = contract_violations(res.cells, sc64_tokens=run.sc64("search"),
                                       tolerance=run.cfg.contract_tolerance,
                                       min_branches=run.cfg.contract_min_branches,
                                       min_sc_share=run.cfg.contract_min_sc_share)
        if problems:
            _fail(st, "invalid", "beta contract: " + "\n".join(problems))
            return
    st.update(status="ok", phase="archiving")


def _archive(run: Run, st: dict, proposer, done, total) -> None:
    rdir = round_dir(run.dir, st["round"])
    parent = st.get("parent")
    if parent is not None and (round_dir(run.dir, parent) / "candidate.py").is_file():
        parent_src, st["parent_name"] = (round_dir(run.dir, parent) / "candidate.py").read_text(), f"r{parent:04d}"
    else:
        parent_src, st["parent_name"] = template_text("template.py"), "template.py"
    source = (rdir / "candidate.py").read_text() if (rdir / "candidate.py").is_file() else ""
    cells = load_cells(run, st["round"]) if st.get("status") in ("ok", "invalid") else None
    traces = [json.loads(x) for x in (rdir / "traces.jsonl").read_text().splitlines()] \
        if cells and (rdir / "traces.jsonl").is_file() else []
    write_round_files(rdir, st, cells, traces, diff_text(parent_src, source, st["parent_name"]),
                      run.baselines("search"), label=f"r{st['round']:04d}")
    st["finished"] = now()
    st["phase"] = "done"
    st["digest"] = seal_round(run, st)  # last: it covers the state written with it
