"""Early-Stopping Self-Consistency (Li et al. 2024): stop on a unanimous window."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from autotts.controllers.base import Controller
from autotts.controllers.voting import majority
from autotts.env.api import EpisodeAPI
from autotts.env.episode import NoBranchesLeft


@dataclass(frozen=True)
class EarlyStoppingConsistency(Controller):
    """ESC: full-read windows of `window` branches; stop when a window is unanimous.

    As in the reference, a window cut short because branches ran out is judged
    on what it read (a single answer counts as unanimous); with no unanimous
    window the majority of everything read is returned.
    """

    name: ClassVar[str] = "esc"  # its id in controllers/registry.py

    max_samples: int = 64
    window: int = 8

    def __post_init__(self):
        if self.max_samples < 1 or self.window < 1:
            raise ValueError("esc: max_samples and window must be >= 1")

    def solve(self, episode: EpisodeAPI) -> str | None:
        answers: list[str] = []
        for w in range(self.max_samples // self.window):
            current: list[str] = []
            for _ in range(self.window):
                try:
                    current.append(episode.read_full())
                except NoBranchesLeft:
                    break
            if not current:
                continue
            answers.extend(current)
            if len(set(current)) == 1:
                episode.note(f"window {w} unanimous")
                return current[0]
        episode.note(f"no unanimous window in {len(answers)} reads; majority vote")
        return majority(answers)
