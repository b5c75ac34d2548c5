"""A small real discovery run for the viewer tests: two real search stores, one
held-out store, 2 seeds, a 3-point beta grid, rounds proposed through the
manual proposer exactly as a coding agent would (candidate.py, then submit)."""

from __future__ import annotations

from pathlib import Path

from autotts.discovery.loop import run_loop
from autotts.discovery.proposers.manual import AwaitingSubmission, ManualProposer
from autotts.discovery.run.config import RunConfig
from autotts.discovery.run.directory import Run, init_run, open_run
from tests.discovery.conftest import CANDIDATES

SEARCH = ("Qwen3-0.6B/aime24", "Qwen3-1.7B/aime24")
HELD_OUT = ("Qwen3-0.6B/aime25",)
ROUND_FILES = ("momentum.py", "greedy_width.py")


def small_config(data_dir: Path, rounds: int = 2) -> RunConfig:
    return RunConfig(rounds=rounds, seeds=2, betas=(0.0, 0.5, 1.0), search=SEARCH,
                     held_out=HELD_OUT, data=str(data_dir), proposer="manual", workers=2,
                     baselines=("sc", "asc"), job_timeout_s=120.0, memory_mb=2048,
                     trace_questions=2)


def new_run(run_dir: Path, data_dir: Path, rounds: int = 2) -> Run:
    init_run(run_dir, small_config(data_dir, rounds))
    return open_run(run_dir)


def propose(run_dir: Path, name: str) -> dict:
    """One round by hand: ask for the round, write the candidate, submit it."""
    try:
        run_loop(open_run(run_dir), ManualProposer(submit=False), max_new=1)
    except AwaitingSubmission:
        pass
    (run_dir / "workspace" / "candidate.py").write_text((CANDIDATES / name).read_text())
    (st,) = run_loop(open_run(run_dir), ManualProposer(submit=True), max_new=1)
    return st
