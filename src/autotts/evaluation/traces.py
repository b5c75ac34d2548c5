"""Compact execution traces: what a controller opened, advanced, pruned, and why
it stopped. Built only when asked for, by a recording episode subclass, so the
plain episode's hot path stays free of bookkeeping.

Events are short lists:
``["open", id, answer, finished]``, ``["step", id, answer, finished]``,
``["read", id, answer]``, ``["probe", id, answer]``, ``["prune", id]``,
``["note", text]``.
"""

from __future__ import annotations

from autotts.env.episode import Episode


class TracedEpisode(Episode):
    """An :class:`Episode` that records every action as a compact event."""

    __slots__ = ("events",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.events: list[list] = []

    def open(self) -> int:
        i = super().open()
        self.events[-1][0] = "open"  # the first step was recorded by step()
        return i

    def step(self, i: int) -> str | None:
        a = super().step(i)
        self.events.append(["step", i, a, self._fin[i]])
        return a

    def probe(self, i: int) -> str | None:
        a = super().probe(i)
        if self._kappa:
            self.events.append(["probe", i, a])
        return a

    def prune(self, i: int) -> None:
        super().prune(i)
        self.events.append(["prune", i])

    def read_full(self) -> str:
        a = super().read_full()
        self.events.append(["read", self._n - 1, a])
        return a

    def note(self, text: str) -> None:
        self.events.append(["note", text])

    def trace_row(self, *, seed: int, question: int, answer, correct: bool) -> dict:
        """One JSON-ready record of this episode."""
        return {"seed": seed, "question": question, "answer": answer, "correct": bool(correct),
                "cost": self._cost, "opened": self._n, "events": self.events}
