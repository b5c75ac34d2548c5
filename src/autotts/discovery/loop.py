"""The discovery loop, as the paper's Figure 1 draws it.

:func:`main` is the whole job: baselines first, then rounds (propose ->
validate -> evaluate in the sandbox -> contract -> archive) until the
configured number, the proposer's cost cap or the wall budget says stop, then
select -> held-out -> report. The budget is one deadline for all of it (see
:mod:`autotts.discovery.run.budget`). Everything is resumable: a killed run
continues at the recorded phase of its unfinished round.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from autotts.discovery.round.state import RoundState, round_states
from autotts.discovery.round.steps import (
    archive,
    check_contract,
    evaluate_in_sandbox,
    propose,
    validate,
)
from autotts.discovery.run.baselines import compute_baselines
from autotts.discovery.run.budget import Budget, finish_estimate_s, round_estimate_s
from autotts.discovery.run.directory import Run
from autotts.discovery.run.integrity import tampered_rounds
from autotts.discovery.run.lock import RunLock
from autotts.discovery.run.progress import Phases
from autotts.discovery.sandbox.preflight import preflight
from autotts.discovery.selection.heldout import finalize
from autotts.discovery.selection.picks import picks
from autotts.discovery.selection.report import write_report
from autotts.discovery.workspace.agent_files import write_static


def main(run: Run, proposer, *, max_new: int | None = None, finish: bool = True,
         say: Callable[[str], None] = print,
         on_round: Callable[[RoundState], None] | None = None) -> Path | None:
    """Run (or resume) the whole discovery job; returns the report's path, or
    None when rounds remain (``max_new`` reached, or ``finish`` is False)."""
    phases = Phases(say)
    with RunLock(run.dir):
        budget = start_budget(run)
        _ = run.executor  # connect to Ray now: no Ray or no cluster stops the run here
        baselines = search_baselines(run, phases)
        start_sandbox(run)
        for st in rounds_to_run(run, budget, max_new, say):
            done = finished(run)
            total = total_rounds(run)
            with phases.phase(f"round {st.round} of {total}", 5) as tick:
                _phase(run, st, "proposing", tick, propose, run, st, proposer, done, total)
                _phase(run, st, "proposed", tick, validate, run, st)
                _phase(run, st, "validated", tick, evaluate_in_sandbox, run, st)
                _phase(run, st, "evaluated", tick, check_contract, run, st)
                _phase(run, st, "archiving", tick, archive, run, st, baselines)
            say(round_line(st))
            if on_round is not None:
                on_round(st)
        searched = mark_searched(run)
    if not finish or not (searched or run.meta.get("stopped")):
        return None
    said = len(budget.notes)
    finalize(run, budget=budget, phases=phases)
    for note in budget.notes[said:]:
        say(f"budget: {note}")
    if budget.notes:
        run.meta["budget"] = budget.notes
        run.save_meta()
    with phases.phase("report"):
        return write_report(run)


def _phase(run: Run, st: RoundState, phase: str, tick, fn, *args) -> None:
    """Run one phase's function when the round is at ``phase``; time it into
    ``wall_s`` and save the state, so a kill resumes at the next phase."""
    if st.phase == phase:
        t0 = time.monotonic()
        try:
            fn(*args)
        finally:
            st.wall_s = (st.wall_s or 0.0) + time.monotonic() - t0
        st.save(run.dir)
    tick(1, f"round {st.round}: {st.phase}")


def start_budget(run: Run) -> Budget:
    """The deadline of this call: ``[caps] wall_minutes`` minus the rounds done before."""
    done = finished(run)
    return Budget(60 * run.cfg.caps.wall_minutes,
                  spent_before_s=sum(s.get("wall_s", 0.0) for s in done))


def search_baselines(run: Run, phases: Phases) -> list[dict]:
    """The seed baselines on the search split (computed once per run, then read
    back) and the agent's static workspace files. The held-out baselines wait
    for the held-out phase: held-out stores are not opened before then."""
    if not run.has_baselines("search"):
        t0 = time.monotonic()
        with phases.phase("baselines on the search split"):
            compute_baselines(run, "search")
        run.meta["baselines_wall_s"] = time.monotonic() - t0
    rows = run.baselines("search")
    if not run.meta.get("workspace_ready"):
        write_static(run.workspace, run.cfg, rows)
        run.meta["workspace_ready"] = True
    run.meta["status"] = "searching"
    run.save_meta()
    return rows


def start_sandbox(run: Run) -> None:
    """Record the isolation mode in run.json and run one trivial sandboxed job:
    a sandbox that cannot start stops the run here, with one message, instead
    of failing every round as if the candidates were at fault."""
    run.meta["isolation"] = run.sandbox().isolation.describe()
    run.save_meta()
    preflight(run.sandbox())


def round_line(st: RoundState) -> str:
    """One line saying how a round ended."""
    line = f"round {st.round}: {st.status}"
    if st.score:
        fit = st.score.get("fitness")
        line += (f" (best search acc {st.score['best_accuracy']:.2f}, area {st.score['area']:.2f}"
                 + (f", fitness {fit:.2f})" if fit is not None else ")"))
    if st.error:
        line += f" - {st.error.strip().splitlines()[0][:160]}"
    return line


def seed_files(run: Run) -> list[Path]:
    """Controller files to seed the run with (``*.py`` under seed_dir, sorted by path)."""
    if not run.cfg.run.seed_dir:
        return []
    root = Path(run.cfg.run.seed_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"seed_dir {root} is not a directory")
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def finished(run: Run) -> list[dict]:
    """The rounds in phase ``done``."""
    return [s for s in round_states(run) if s["phase"] == "done"]


def total_rounds(run: Run) -> int:
    """Rounds the run will have when complete: its seed files plus ``rounds``."""
    return len(seed_files(run)) + run.cfg.run.rounds


def check_tampering(run: Run, done: list[dict]) -> list[int]:
    """Finished rounds whose archive no longer matches its digest (recorded in run.json)."""
    return tampered_rounds(run, done)


def cap_reached(run: Run, done: list[dict], budget: Budget | None = None) -> str | None:
    """Why no new round may start (wall budget or proposer cost cap), or None.

    With a wall budget, a new round starts only when the mean round time plus
    the estimated selection, held-out and report time still fit before the
    deadline.
    """
    budget = budget or Budget(60 * run.cfg.caps.wall_minutes,
                              spent_before_s=sum(s.get("wall_s", 0.0) for s in done))
    cost = sum(s.get("cost_usd") or 0.0 for s in done)
    if budget.limited:
        after = finish_estimate_s(
            done, seeds=run.cfg.run.seeds, screen_seeds=run.cfg.run.screen_seeds,
            screen_topk=run.cfg.run.screen_topk, n_search=len(run.store_refs("search")),
            n_held=len(run.store_refs("held_out")),
            baselines_s=float(run.meta.get("baselines_wall_s", 0.0)),
            pick_rounds=tuple(r for r in picks(done).values() if r is not None))
        need = round_estimate_s(done) + after
        if not budget.fits(need):
            return (f"wall-time cap: stopped after {len(done)} rounds to keep the "
                    f"{run.cfg.caps.wall_minutes:g}-minute budget ({budget.spent_s() / 60:.1f} min "
                    f"used; one more round plus selection, held-out and report need about "
                    f"{need / 60:.1f} min)")
    if run.cfg.caps.proposer_cost_usd and cost >= run.cfg.caps.proposer_cost_usd:
        return f"proposer cost cap reached (${cost:.2f} of ${run.cfg.caps.proposer_cost_usd:.2f})"
    return None


def rounds_to_run(run: Run, budget: Budget, max_new: int | None, say: Callable[[str], None]):
    """Yield the rounds to advance: unfinished ones first (at their recorded
    phase), then new ones until the target, a cap or ``max_new``."""
    seeds = seed_files(run)
    target = len(seeds) + run.cfg.run.rounds
    count = 0
    while max_new is None or count < max_new:
        states = round_states(run)
        done = [s for s in states if s["phase"] == "done"]
        check_tampering(run, done)
        pending = [s for s in states if s["phase"] != "done"]
        if pending:
            yield RoundState.from_dict(pending[0])
        elif len(done) >= target:
            return
        else:
            cap = cap_reached(run, done, budget)
            if cap:
                run.meta["stopped"] = cap
                run.save_meta()
                budget.note(cap)
                say(f"stopped: {cap}")
                return
            n = (states[-1]["round"] if states else 0) + 1
            seed = str(seeds[n - 1].resolve()) if n <= len(seeds) else None
            st = RoundState.new(n, "seed" if seed else "proposer", seed)
            st.save(run.dir)
            yield st
        count += 1


def mark_searched(run: Run) -> bool:
    """Record ``searched`` once every round is done; returns whether it is."""
    if len(finished(run)) >= total_rounds(run):
        run.meta["status"] = "searched"
        run.save_meta()
        return True
    return False


def run_loop(run: Run, proposer, *, max_new: int | None = None,
             on_round: Callable[[RoundState], None] | None = None) -> list[RoundState]:
    """Only the rounds (no selection, held-out or report); returns the states
    of the rounds advanced in this call. ``on_round`` is told about each
    finished round as soon as it is archived."""
    advanced: list[RoundState] = []

    def record(st: RoundState) -> None:
        advanced.append(st)
        if on_round is not None:
            on_round(st)

    main(run, proposer, max_new=max_new, finish=False, say=lambda line: None, on_round=record)
    return advanced
