"""Self-consistency (Wang et al. 2022): read n branches whole, majority vote."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority
from autotts.env.api import EpisodeAPI


@dataclass(frozen=True)
class SelfConsistency(Controller):
    """SC@n: full-read n branches and return their majority answer (paper: n=64)."""

    name: ClassVar[str] = "sc"  # its id in controllers/registry.py

    n: int = 64

    def __post_init__(self):
        if self.n < 1:
            raise ValueError("sc: n must be >= 1")

    def solve(self, episode: EpisodeAPI) -> str | None:
        n = min(self.n, episode.branches_left)
        answers = [episode.read_full() for _ in range(n)]
        episode.note(f"read {n} branches; majority vote")
        return majority(answers)
