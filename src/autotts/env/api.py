"""The episode contract: what a controller may call, declared once.

:class:`EpisodeAPI` is the paper's width x depth MDP over one question as a
:class:`typing.Protocol`. The replay :class:`~autotts.env.episode.Episode`,
the live :class:`~autotts.live.episode.LiveEpisode` and the tracing wrapper
:class:`~autotts.evaluation.traces.TracedEpisode` all implement it, and a
controller's ``solve(episode)`` may use nothing else (see
:func:`autotts.controllers.check.check_controller`).

Actions: BRANCH ``open`` / ``open_many``; CONTINUE ``step`` / ``advance``;
PROBE ``probe`` / ``probe_many``; PRUNE ``prune``; a full read
``read_full``; ANSWER is returning from ``solve``. Everything else is
read-only state. Illegal actions raise
:class:`~autotts.env.episode.IllegalAction`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, runtime_checkable


@runtime_checkable
class EpisodeAPI(Protocol):
    """One question as a controller sees it (REPLAY_PROTOCOL.md §2)."""

    # ---- read-only state ----------------------------------------------------
    @property
    def delta(self) -> int:
        """Interval length Δ in tokens."""
        ...

    @property
    def cost(self) -> float:
        """Tokens charged so far."""
        ...

    @property
    def n_opened(self) -> int:
        """Branches opened so far; their ids are ``0 .. n_opened - 1``."""
        ...

    @property
    def max_branches(self) -> int:
        """How many branches this episode can open in total."""
        ...

    @property
    def branches_left(self) -> int:
        """How many more branches may be opened."""
        ...

    @property
    def depths(self) -> tuple[int, ...]:
        """Intervals taken by every opened branch."""
        ...

    @property
    def finished(self) -> tuple[bool, ...]:
        """Whether each opened branch has finished."""
        ...

    @property
    def pruned(self) -> tuple[bool, ...]:
        """Whether each opened branch was pruned."""
        ...

    @property
    def answers(self) -> tuple[str | None, ...]:
        """Latest revealed answer of every opened branch."""
        ...

    def depth(self, i: int) -> int:
        """Intervals taken by branch ``i``."""
        ...

    def is_finished(self, i: int) -> bool:
        """Whether branch ``i`` has finished."""
        ...

    def is_pruned(self, i: int) -> bool:
        """Whether branch ``i`` was pruned."""
        ...

    def latest(self, i: int) -> str | None:
        """Latest revealed answer of branch ``i`` (its final answer once finished)."""
        ...

    def active(self) -> list[int]:
        """Opened branches that are neither finished nor pruned."""
        ...

    def final_answers(self) -> list[str]:
        """Final answers of finished branches, in opening order."""
        ...

    def note(self, text: str) -> None:
        """Record why the controller did something (kept only when tracing)."""
        ...

    # ---- actions ------------------------------------------------------------
    def open(self) -> int:
        """BRANCH: open the next branch and take its first step; returns its id."""
        ...

    def open_many(self, k: int) -> list[int]:
        """BRANCH up to ``k`` times; returns the new ids."""
        ...

    def step(self, i: int) -> str | None:
        """CONTINUE branch ``i`` one interval; returns the revealed answer."""
        ...

    def advance(self, ids: Iterable[int], steps: int = 1) -> list[str | None]:
        """CONTINUE each branch up to ``steps`` intervals; returns the latest answers."""
        ...

    def probe(self, i: int) -> str | None:
        """PROBE branch ``i`` at its current depth; returns its answer."""
        ...

    def probe_many(self, ids: Iterable[int]) -> list[str | None]:
        """PROBE each branch; returns their answers."""
        ...

    def prune(self, i: int) -> None:
        """PRUNE branch ``i``: it will not be stepped again; its cost stays counted."""
        ...

    def read_full(self) -> str:
        """Open the next branch and read it whole; returns its final answer."""
        ...


def api_members() -> tuple[str, ...]:
    """The names :class:`EpisodeAPI` declares, sorted (properties and methods)."""
    return tuple(sorted(n for n, v in vars(EpisodeAPI).items()
                        if not n.startswith("_") and (callable(v) or isinstance(v, property))))
