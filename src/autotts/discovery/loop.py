"""The discovery loop: seed rounds, then proposer rounds, each through the
round state machine, until the configured number of rounds or a cap."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from autotts.discovery.integrity import tampered_rounds
from autotts.discovery.preflight import preflight
from autotts.discovery.rounds import run_round
from autotts.discovery.rundir import Run
from autotts.discovery.state import (
    RunLock,
    load_round_state,
    round_numbers,
)
from autotts.discovery.workspace import write_static


def seed_files(run: Run) -> list[Path]:
    """Controller files to seed the run with (``*.py`` under seed_dir, sorted by path)."""
    if not run.cfg.seed_dir:
        return []
    root = Path(run.cfg.seed_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"seed_dir {root} is not a directory")
    return sorted(p for p in root.rglob("*.py") if p.is_file())


def round_states(run: Run) -> list[dict]:
    return [load_round_state(run.dir, n) for n in round_numbers(run.dir)]


def check_tampering(run: Run, done: list[dict]) -> list[int]:
    """Finished rounds whose archive no longer matches its digest (recorded in run.json)."""
    return tampered_rounds(run, done)


def cap_reached(run: Run, done: list[dict]) -> str | None:
    """Why no new round may start (wall time or proposer cost cap), or None."""
    wall = sum(s.get("wall_s", 0.0) for s in done)
    cost = sum(s.get("cost_usd") or 0.0 for s in done)
    if run.cfg.wall_minutes and wall >= 60 * run.cfg.wall_minutes:
        return f"wall-time cap reached ({wall / 60:.1f} of {run.cfg.wall_minutes:g} minutes)"
    if run.cfg.proposer_cost_usd and cost >= run.cfg.proposer_cost_usd:
        return f"proposer cost cap reached (${cost:.2f} of ${run.cfg.proposer_cost_usd:.2f})"
    return None


def total_rounds(run: Run) -> int:
    return len(seed_files(run)) + run.cfg.rounds


def run_loop(run: Run, proposer, *, max_new: int | None = None,
             on_round: Callable[[dict], None] | None = None) -> list[dict]:
    """Run (or resume) rounds; returns the states of the rounds advanced in this call.

    Unfinished rounds are completed first, at their recorded phase. ``max_new``
    bounds how many rounds this call starts or resumes; ``on_round`` is told
    about each finished round as soon as it is archived.
    """
    with RunLock(run.dir):
        seeds = seed_files(run)
        target = len(seeds) + run.cfg.rounds
        baselines = run.baselines("search")
        if not run.meta.get("workspace_ready"):
            write_static(run.workspace, run.cfg, baselines)
            run.meta["workspace_ready"] = True
        run.meta["status"] = "searching"
        run.meta["isolation"] = run.sandbox().isolation.describe()
        run.save_meta()
        preflight(run.sandbox())  # machinery failures stop here, not as failed rounds
        advanced: list[dict] = []
        while max_new is None or len(advanced) < max_new:
            states = round_states(run)
            done = [s for s in states if s["phase"] == "done"]
            check_tampering(run, done)
            pending = [s for s in states if s["phase"] != "done"]
            if pending:
                n = pending[0]["round"]
            elif len(done) >= target:
                break
            else:
                cap = cap_reached(run, done)
                if cap:
                    run.meta["stopped"] = cap
                    run.save_meta()
                    break
                n = (states[-1]["round"] if states else 0) + 1
            origin = "seed" if n <= len(seeds) else "proposer"
            seed = str(seeds[n - 1].resolve()) if origin == "seed" else None
            advanced.append(run_round(run, n, proposer, done, target, origin, seed))
            if on_round is not None:
                on_round(advanced[-1])
        if len([s for s in round_states(run) if s["phase"] == "done"]) >= target:
            run.meta["status"] = "searched"
            run.save_meta()
        return advanced
