"""Shared pieces of the hostile suite: one small store, the isolation modes this
machine offers, and a runner that evaluates a candidate with static checks
out of the way (the runtime boundary must hold on its own)."""

from __future__ import annotations

import pytest

from autotts.discovery.sandbox.boundary import IsolationUnavailable
from autotts.discovery.sandbox.evaluate import SandboxSettings, evaluate_candidate
from autotts.discovery.sandbox.process import Limits, detect_isolation
from autotts.env.store import load_store

SEEDS = [0, 1]


def available_modes() -> list[str]:
    modes = []
    for mode in ("bwrap", "unshare", "none"):
        try:
            detect_isolation(mode)
        except IsolationUnavailable:
            continue
        modes.append(mode)
    return modes


MODES = available_modes()


@pytest.fixture(params=MODES)
def mode(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def store(synth_data):
    return load_store(synth_data / "ModelA" / "aime24.json", name="ModelA/aime24")


def evaluate(source: str, store, mode: str, *, cpu_s: float = 20, memory_mb: int = 2048,
             workers: int = 1, grid=({},), max_branches: int = 64, total_memory_mb: int = 0,
             wall_s: float | None = None, interference_check: bool = True):
    sb = SandboxSettings(Limits(cpu_s=cpu_s, memory_mb=memory_mb, output_bytes=4096,
                                wall_s=wall_s), detect_isolation(mode), workers=workers,
                         max_branches=max_branches, total_memory_mb=total_memory_mb,
                         interference_check=interference_check)
    return evaluate_candidate(source, None, [store], list(grid), SEEDS, sb)


def controller(body: str, imports: str = "", params: str = "") -> str:
    lines = "\n".join("        " + ln for ln in body.strip().splitlines())
    return (f"{imports}\nfrom dataclasses import dataclass\n"
            "from autotts.controllers.base import Controller\n"
            "@dataclass(frozen=True)\nclass Hostile(Controller):\n"
            f"{params or '    beta: float = 0.5'}\n"
            f"    def solve(self, ep):\n{lines}\n")
