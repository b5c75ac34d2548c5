"""Compact execution traces: what a controller opened, advanced, pruned, and why
it stopped. Built only when asked for, by a wrapper over any episode's public
API (:class:`~autotts.env.api.EpisodeAPI`), so the plain episode's hot path
stays free of bookkeeping.

Events are short lists:
``["open", id, answer, finished]``, ``["step", id, answer, finished]``,
``["read", id, answer]``, ``["probe", id, answer]``, ``["prune", id]``,
``["note", text]``.
"""

from __future__ import annotations

from collections.abc import Iterable

from autotts.env.api import EpisodeAPI


class TracedEpisode:
    """Wraps an episode and records every action as a compact event.

    Uses only the wrapped episode's public API; the batch actions are
    spelled out through the single ones so each is recorded.
    """

    __slots__ = ("_ep", "_charged", "events")

    def __init__(self, episode: EpisodeAPI):
        self._ep = episode
        # An explicit probe is an event only where it is an action of its own
        # (replay with kappa_probe > 0); at 0 the step already revealed it.
        self._charged = bool(getattr(episode, "kappa_probe", 0))
        self.events: list[list] = []

    @property
    def inner(self) -> EpisodeAPI:
        """The wrapped episode."""
        return self._ep

    # ---- read-only state: delegated -------------------------------------------
    @property
    def delta(self) -> int:
        """Interval length Δ in tokens."""
        return self._ep.delta

    @property
    def kappa_probe(self) -> float:
        """The wrapped episode's probe price (0 when it has none)."""
        return getattr(self._ep, "kappa_probe", 0)

    @property
    def cost(self) -> float:
        """Tokens charged so far."""
        return self._ep.cost

    @property
    def n_opened(self) -> int:
        """Branches opened so far."""
        return self._ep.n_opened

    @property
    def max_branches(self) -> int:
        """How many branches the episode can open in total."""
        return self._ep.max_branches

    @property
    def branches_left(self) -> int:
        """How many more branches may be opened."""
        return self._ep.branches_left

    @property
    def depths(self) -> tuple[int, ...]:
        """Intervals taken by every opened branch."""
        return self._ep.depths

    @property
    def finished(self) -> tuple[bool, ...]:
        """Whether each opened branch has finished."""
        return self._ep.finished

    @property
    def pruned(self) -> tuple[bool, ...]:
        """Whether each opened branch was pruned."""
        return self._ep.pruned

    @property
    def answers(self) -> tuple[str | None, ...]:
        """Latest revealed answer of every opened branch."""
        return self._ep.answers

    def depth(self, i: int) -> int:
        """Intervals taken by branch ``i``."""
        return self._ep.depth(i)

    def is_finished(self, i: int) -> bool:
        """Whether branch ``i`` has finished."""
        return self._ep.is_finished(i)

    def is_pruned(self, i: int) -> bool:
        """Whether branch ``i`` was pruned."""
        return self._ep.is_pruned(i)

    def latest(self, i: int) -> str | None:
        """Latest revealed answer of branch ``i``."""
        return self._ep.latest(i)

    def active(self) -> list[int]:
        """Opened branches that are neither finished nor pruned."""
        return self._ep.active()

    def final_answers(self) -> list[str]:
        """Final answers of finished branches, in opening order."""
        return self._ep.final_answers()

    # ---- actions: recorded ----------------------------------------------------
    def note(self, text: str) -> None:
        """Record why the controller did something."""
        self.events.append(["note", text])

    def open(self) -> int:
        """BRANCH; records ``["open", id, answer, finished]``."""
        ep = self._ep
        i = ep.open()
        # The first step's return value: None at kappa_probe > 0 unless it
        # finished the branch, which is exactly what latest() holds now.
        self.events.append(["open", i, ep.latest(i), ep.is_finished(i)])
        return i

    def open_many(self, k: int) -> list[int]:
        """BRANCH up to ``k`` times; returns the new ids."""
        k = min(k, self._ep.branches_left)
        return [self.open() for _ in range(k)]

    def step(self, i: int) -> str | None:
        """CONTINUE; records ``["step", id, answer, finished]``."""
        a = self._ep.step(i)
        self.events.append(["step", i, a, self._ep.is_finished(i)])
        return a

    def advance(self, ids: Iterable[int], steps: int = 1) -> list[str | None]:
        """CONTINUE each branch up to ``steps`` intervals; returns the latest answers."""
        ep = self._ep
        out = []
        for i in ids:
            for _ in range(steps):
                self.step(i)
                if ep.is_finished(i):
                    break
            out.append(ep.latest(i))
        return out

    def probe(self, i: int) -> str | None:
        """PROBE; records ``["probe", id, answer]`` when probes are charged."""
        a = self._ep.probe(i)
        if self._charged:
            self.events.append(["probe", i, a])
        return a

    def probe_many(self, ids: Iterable[int]) -> list[str | None]:
        """PROBE each branch; returns their answers."""
        return [self.probe(i) for i in ids]

    def prune(self, i: int) -> None:
        """PRUNE; records ``["prune", id]``."""
        self._ep.prune(i)
        self.events.append(["prune", i])

    def read_full(self) -> str:
        """Full read; records ``["read", id, answer]``."""
        a = self._ep.read_full()
        self.events.append(["read", self._ep.n_opened - 1, a])
        return a

    def trace_row(self, *, seed: int, question: int, answer, correct: bool) -> dict:
        """One JSON-ready record of this episode."""
        return {"seed": seed, "question": question, "answer": answer, "correct": bool(correct),
                "cost": self._ep.cost, "opened": self._ep.n_opened, "events": self.events}
