"""Adaptive-Consistency (Aggarwal et al. 2023), the Beta stopping criterion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from autotts.controllers.base import Controller
from autotts.controllers.voting import beta_confidence, majority, stats_from_counts
from autotts.env.api import EpisodeAPI


@dataclass(frozen=True)
class AdaptiveConsistency(Controller):
    """ASC: full-read one branch at a time; stop once Beta confidence > threshold."""

    name: ClassVar[str] = "asc"  # its id in controllers/registry.py

    max_samples: int = 64
    threshold: float = 0.95

    def __post_init__(self):
        if self.max_samples < 1:
            raise ValueError("asc: max_samples must be >= 1")

    def solve(self, episode: EpisodeAPI) -> str | None:
        answers: list[str] = []
        counts: dict[str, int] = {}
        for _ in range(min(self.max_samples, episode.branches_left)):
            a = episode.read_full()
            answers.append(a)
            counts[a] = counts.get(a, 0) + 1
            if len(answers) >= 2:  # the reference checks from the 2nd read on
                winner, v1, v2 = stats_from_counts(counts)
                if beta_confidence(v1, v2) > self.threshold:
                    episode.note(f"confident after {len(answers)} reads ({v1} vs {v2})")
                    return winner
        episode.note(f"no confident winner after {len(answers)} reads; majority vote")
        return majority(answers)
