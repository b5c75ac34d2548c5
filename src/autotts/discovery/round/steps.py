"""The phases of one round, in the order of the paper's Figure 1:
propose -> validate -> evaluate in the sandbox -> contract -> archive.

Each function advances a :class:`RoundState` by one phase (proposing ->
proposed -> validated -> evaluated -> archiving -> done); the loop saves the
state after each, so a round interrupted at any moment resumes at its
recorded phase, and a round in phase ``done`` is never redone. Statuses: ``ok``, ``invalid`` (static
validation or the beta contract failed), ``failed`` (proposer or evaluation
error). A bad round is archived with its error and the run goes on.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from autotts.controllers.contract import contract_violations
from autotts.discovery.proposers.base import ProposalContext, RoundSummary
from autotts.discovery.proposers.manual import AwaitingSubmission
from autotts.discovery.round.archive import diff_text, write_round_files, write_traces
from autotts.discovery.round.scoring import curves_of, score_cells
from autotts.discovery.round.state import RoundState
from autotts.discovery.run.directory import Run
from autotts.discovery.run.files import (
    now,
    read_json,
    round_dir,
    write_atomic,
    write_json,
)
from autotts.discovery.run.integrity import seal_round
from autotts.discovery.sandbox.evaluate import CellResult, evaluate_candidate
from autotts.discovery.sandbox.generated import evaluate_generated
from autotts.discovery.sandbox.static_check import ValidationError, find_class, validate_source
from autotts.discovery.selection.picks import best_round
from autotts.discovery.workspace.agent_files import refresh_history, render_prompt, template_text


def load_cells(run: Run, n: int) -> list[CellResult] | None:
    """Round ``n``'s graded search cells (None when it has none)."""
    doc = read_json(round_dir(run.dir, n) / "results.json")
    if not doc or not doc.get("cells"):
        return None
    return [CellResult(**c) for c in doc["cells"]]


def history(run: Run, done: list[dict]) -> tuple[RoundSummary, ...]:
    """The finished rounds as the proposer interface sees them."""
    out = []
    for st in done:
        n = st["round"]
        curves = curves_of(load_cells(run, n) or [])
        src = round_dir(run.dir, n) / "candidate.py"
        source = src.read_text() if src.is_file() else ""
        out.append(RoundSummary(round=n, status=st["status"], source=source,
                                error=st.get("error"), curves=curves,
                                score=_history_score(st), parent=st.get("parent"),
                                meta=st.get("proposal_meta") or {}))
    return tuple(out)


def _history_score(st: dict) -> dict:
    """The round's score, saying how many seeds it rests on and whether it is a screening."""
    score = dict(st.get("score") or {})
    if score:
        score.update(seeds=st.get("seeds"), screened=bool(st.get("screened")))
    return score


def prepare(run: Run, st: RoundState, done: list[dict], total: int) -> None:
    """Write the prompt, history and starting candidate.py for this round (once)."""
    if st.prepared:
        return
    ws = run.workspace
    refresh_history(ws, run.dir, run.cfg, done)
    names = [r["name"] for r in run.store_refs("search")]
    write_atomic(ws / "PROMPT.md", render_prompt(run.cfg, st.round, total, names))
    best = best_round(done)
    start = (round_dir(run.dir, best["round"]) / "candidate.py").read_text() if best \
        else template_text("template.py")
    write_atomic(ws / "candidate.py", start)
    st.parent = best["round"] if best else None
    st.prepared = True
    st.save(run.dir)


def propose(run: Run, st: RoundState, proposer, done: list[dict], total: int) -> None:
    """Phase ``proposing``: write the round's candidate.py (from a seed file or the proposer)."""
    rdir = round_dir(run.dir, st.round)
    if st.origin == "seed":
        source, transcript, acct = Path(st.seed_file).read_text(), f"seeded from {st.seed_file}", {}
        st.parent = None
    else:
        prepare(run, st, done, total)
        ctx = ProposalContext(round=st.round, workspace=run.workspace,
                              candidate_path=run.workspace / "candidate.py",
                              prompt=(run.workspace / "PROMPT.md").read_text(),
                              history=history(run, done), seed=run.cfg.run.seed,
                              search_stores=tuple((r["name"], r["path"])
                                                  for r in run.store_refs("search")),
                              betas=tuple(run.cfg.run.betas), workers=run.workers(),
                              executor=run.executor,
                              reach_rule={k: v for k, v in run.cfg.contract.rule().items()
                                          if k != "tolerance"}
                              if run.cfg.contract.enabled else None,
                              sc64_tokens=tuple(run.sc64("search").items()),
                              search_baselines=tuple(run.baselines("search")))
        try:
            p = proposer.propose(ctx)
        except AwaitingSubmission:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken proposer fails the round, not the run
            write_atomic(rdir / "candidate.py", "")
            st.fail("failed", f"proposer error: {type(exc).__name__}: {exc}")
            return
        source, transcript = p.source, p.transcript
        acct = {"input_tokens": p.input_tokens, "output_tokens": p.output_tokens,
                "cost_usd": p.cost_usd}
        st.proposal_meta = p.meta
        if isinstance(p.meta.get("parent"), int):
            st.parent = p.meta["parent"]
    write_atomic(rdir / "candidate.py", source)
    write_atomic(rdir / "transcript.txt", transcript or "")
    st.proposer = getattr(proposer, "name", "seed") if proposer else "seed"
    for key, value in acct.items():
        st[key] = value
    st.phase = "proposed"


def validate(run: Run, st: RoundState) -> None:
    """Phase ``proposed``: static checks; find the class and the grid to evaluate."""
    source = (round_dir(run.dir, st.round) / "candidate.py").read_text()
    cls = run.cfg.run.class_name or None
    try:
        if run.cfg.sandbox.static_checks:
            v = validate_source(source, class_name=cls)
            name, api, settings = v.class_name, v.api, v.settings
        else:  # runtime-containment tests only: parse and find the class, nothing more
            name = find_class(ast.parse(source), cls, "candidate.py").name
            api, settings = "unchecked", None
    except (ValidationError, SyntaxError, ValueError) as exc:
        st.fail("invalid", f"validation: {exc}")
        return
    if run.cfg.contract.enabled:
        grid = [{"beta": b} for b in run.cfg.run.betas]
    else:
        grid = list(settings or [{}])[: run.cfg.contract.max_settings]
    st.class_name, st.api, st.grid, st.phase = name, api, grid, "validated"


def evaluate_in_sandbox(run: Run, st: RoundState) -> None:
    """Phase ``validated``: run the grid on the search split in sandboxed children."""
    rdir = round_dir(run.dir, st.round)
    source = (rdir / "candidate.py").read_text()
    grid = st.grid
    tracing = [grid[0], grid[len(grid) // 2], grid[-1]] if run.cfg.history.traces else [grid[-1]]
    tracing = [json.loads(t) for t in dict.fromkeys(json.dumps(t, sort_keys=True) for t in tracing)]
    seeds = run.cfg.run.round_seed_list  # a screening prefix when [run] screen_seeds > 0
    # a byte-identical generated design runs on the trusted kernel here; all else: sandbox
    res = (evaluate_generated(source, st.class_name, run.search_stores, grid, seeds,
                              run.sandbox(), trace_settings=tracing, executor=run.executor)
           or evaluate_candidate(source, st.class_name, run.search_stores, grid,
                                 seeds, run.sandbox(), trace_settings=tracing))
    st.seeds, st.screened = len(seeds), run.cfg.run.screening
    write_json(rdir / "results.json", {"seeds": len(seeds), "screened": run.cfg.run.screening,
                                       **res.to_dict()})
    write_traces(rdir / "traces.jsonl", res.traces)
    st.isolation = res.jobs[0]["isolation"] if res.jobs else None
    st.eval_wall_s = res.wall_s
    if res.error:
        st.fail("failed", f"evaluation: {res.error}")
        return
    st.score = score_cells(res.cells, run.sc64("search"), contract=run.cfg.contract.enabled,
                           fitness=run.fitness)
    st.phase = "evaluated"


def check_contract(run: Run, st: RoundState) -> None:
    """Phase ``evaluated``: the beta contract on the search numbers (when enabled)."""
    if run.cfg.contract.enabled:
        cells = load_cells(run, st.round) or []
        problems = contract_violations(cells, sc64_tokens=run.sc64("search"),
                                       **run.cfg.contract.rule())
        if problems:
            st.fail("invalid", "beta contract: " + "\n".join(problems))
            return
    st.status, st.phase = "ok", "archiving"


def archive(run: Run, st: RoundState, baselines: list[dict]) -> None:
    """Phase ``archiving``: write the round's files, its diff and digest; phase ``done``."""
    rdir = round_dir(run.dir, st.round)
    parent = st.parent
    if parent is not None and (round_dir(run.dir, parent) / "candidate.py").is_file():
        parent_src = (round_dir(run.dir, parent) / "candidate.py").read_text()
        st.parent_name = f"r{parent:04d}"
    else:
        parent_src, st.parent_name = template_text("template.py"), "template.py"
    source = (rdir / "candidate.py").read_text() if (rdir / "candidate.py").is_file() else ""
    cells = load_cells(run, st.round) if st.status in ("ok", "invalid") else None
    traces = [json.loads(x) for x in (rdir / "traces.jsonl").read_text().splitlines()] \
        if cells and (rdir / "traces.jsonl").is_file() else []
    write_round_files(rdir, st, cells, traces, diff_text(parent_src, source, st.parent_name),
                      baselines, label=f"r{st.round:04d}")
    st.finished = now()
    st.phase = "done"
    st.digest = seal_round(run, st.to_dict())  # last: it covers the state written with it
