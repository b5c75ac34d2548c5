"""The replay episode: the paper's width x depth MDP over one question.

Actions (REPLAY_PROTOCOL.md §2):

- BRANCH   ``open()`` / ``open_many(k)``: open the next unopened branch and
  take its first step;
- CONTINUE ``step(i)`` / ``advance(ids, steps)``: one more interval of branch i;
- PROBE    ``probe(i)`` / ``probe_many(ids)``: reveal branch i's answer at its
  current depth (costs ``kappa_probe`` tokens; with the default 0 every step
  already reveals its probe, as in the data);
- PRUNE    ``prune(i)``: stop using branch i (its cost stays counted);
- full read ``read_full()``: open the next branch and read it whole (cost =
  its length, reveals only its final answer);
- ANSWER: return from the controller's ``solve``.

Cost: a step within the recorded probes costs Δ; the step past the last probe
reveals the final answer, costs ``max(0, T - k*Δ)`` and finishes the branch.
Stepping a finished branch (a quirk of the reference) is refused.

Branch ids are 0, 1, 2, ... in opening order. The gold answer is not held by
the episode; unrevealed probes and branch lengths sit in private slots and
no public method returns them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: controllers import this module without numpy
    from autotts.env.store import CompiledQuestion

BranchTable = tuple[list[tuple[str, ...]], list[str], list[int], list[int]]


@lru_cache(maxsize=4096)
def branch_table(question: CompiledQuestion) -> BranchTable:
    """Plain-Python copy of a question's branches (probe answers, final answers,
    probe counts, lengths), built once per question and shared by episodes."""
    labels = question.labels
    return (question.branch_answers(), [labels[f] for f in question.finals.tolist()],
            question.n_probes.tolist(), question.tokens.tolist())


class IllegalAction(ValueError):
    """The controller asked for an action the episode does not allow."""


class NoBranchesLeft(IllegalAction):
    """BRANCH or a full read was asked for after every branch was opened."""


class Episode:
    """One question, one branch order. See the module docstring for the API."""

    __slots__ = ("_table", "_answers", "_finals", "_tokens", "_nprobes", "_order", "_delta",
                 "_kappa", "_depth", "_done", "_fin", "_pruned", "_latest", "_seen", "_cost", "_n",
                 "_limit")

    def __init__(self, question: CompiledQuestion, order: Sequence[int] | None = None, *,
                 kappa_probe: float = 0, max_branches: int | None = None):
        table = branch_table(question)
        self._order = list(range(question.n_branches)) if order is None else order
        if len(self._order) > question.n_branches:
            raise ValueError("branch order is longer than the question's branch list")
        self._table = table
        self._answers: list[tuple[str, ...]] = []
        self._finals: list[str] = []
        self._nprobes: list[int] = []
        self._tokens: list[int] = []
        self._delta = question.delta
        self._kappa = kappa_probe
        n_order = len(self._order)
        self._limit = n_order if max_branches is None else min(max_branches, n_order)
        self._depth: list[int] = []
        self._done: list[bool] = []      # finished or pruned: may not be stepped
        self._fin: list[bool] = []
        self._pruned: list[bool] = []
        self._latest: list[str | None] = []
        self._seen: list[str | None] = []  # answer at current depth (revealed or not)
        self._cost = 0
        self._n = 0

    # ---- read-only state -------------------------------------------------
    @property
    def delta(self) -> int:
        """Interval length Δ in tokens."""
        return self._delta

    @property
    def kappa_probe(self) -> float:
        return self._kappa

    @property
    def cost(self) -> float:
        """Tokens charged so far (plus kappa_probe per explicit probe)."""
        return self._cost

    @property
    def n_opened(self) -> int:
        return self._n

    @property
    def max_branches(self) -> int:
        """How many branches this episode can open in total."""
        return self._limit

    @property
    def branches_left(self) -> int:
        return self._limit - self._n

    # The id check is written out in these getters (not a call to _check) because
    # controllers call them millions of times per evaluation.
    def depth(self, i: int) -> int:
        """Intervals taken by branch i (the finishing step counts as one)."""
        if type(i) is not int or not 0 <= i < self._n:
            raise self._unknown(i)
        return self._depth[i]

    def is_finished(self, i: int) -> bool:
        if type(i) is not int or not 0 <= i < self._n:
            raise self._unknown(i)
        return self._fin[i]

    def is_pruned(self, i: int) -> bool:
        if type(i) is not int or not 0 <= i < self._n:
            raise self._unknown(i)
        return self._pruned[i]

    def latest(self, i: int) -> str | None:
        """Latest revealed answer of branch i (its final answer once finished)."""
        if type(i) is not int or not 0 <= i < self._n:
            raise self._unknown(i)
        return self._latest[i]

    # These views mirror LiveEpisode's on purpose: both implement the EpisodeAPI
    # Protocol (autotts.env.api), each over its own state (replay lists here).
    @property
    def depths(self) -> tuple[int, ...]:
        return tuple(self._depth)

    @property
    def finished(self) -> tuple[bool, ...]:
        return tuple(self._fin)

    @property
    def pruned(self) -> tuple[bool, ...]:
        return tuple(self._pruned)

    @property
    def answers(self) -> tuple[str | None, ...]:
        """Latest revealed answer of every opened branch."""
        return tuple(self._latest)

    def active(self) -> list[int]:
        """Opened branches that are neither finished nor pruned."""
        done = self._done
        return [i for i in range(self._n) if not done[i]]

    def final_answers(self) -> list[str]:
        """Final answers of finished branches, in opening order."""
        return [self._latest[i] for i in range(self._n) if self._fin[i]]

    def note(self, text: str) -> None:
        """Record why the controller did something (kept only when tracing)."""

    # ---- actions ---------------------------------------------------------
    def open(self) -> int:
        """BRANCH: open the next branch and take its first step; returns its id."""
        i = self._n
        if i >= self._limit:
            raise NoBranchesLeft(f"all {self._limit} branches are already opened")
        self._n = i + 1
        self._bind(i)
        self._depth.append(0)
        self._done.append(False)
        self._fin.append(False)
        self._pruned.append(False)
        self._latest.append(None)
        self._seen.append(None)
        self.step(i)
        return i

    def open_many(self, k: int) -> list[int]:
        """BRANCH k times (stops early when no branch is left); returns the new ids."""
        k = min(k, self._limit - self._n)
        return [self.open() for _ in range(k)]

    def step(self, i: int) -> str | None:
        """CONTINUE branch i one interval; returns the revealed answer (None when
        kappa_probe > 0 and the step did not finish the branch)."""
        try:
            if not 0 <= i < self._n or self._done[i]:
                self._refuse_step(i)
        except TypeError:  # a non-integer id; the try costs nothing on the normal path
            self._refuse_step(i)
        d = self._depth[i]
        k = self._nprobes[i]
        self._depth[i] = d + 1
        if d < k:
            self._cost += self._delta
            a = self._answers[i][d]
            self._seen[i] = a
            if self._kappa:
                return None
        else:
            self._cost += max(0, self._tokens[i] - k * self._delta)
            a = self._finals[i]
            self._seen[i] = a
            self._fin[i] = True
            self._done[i] = True
        self._latest[i] = a
        return a

    def advance(self, ids: Iterable[int], steps: int = 1) -> list[str | None]:
        """CONTINUE each branch up to ``steps`` intervals (stopping when it
        finishes); returns each branch's latest revealed answer."""
        out = []
        for i in ids:
            for _ in range(steps):
                self.step(i)
                if self._fin[i]:
                    break
            out.append(self._latest[i])
        return out

    def probe(self, i: int) -> str | None:
        """PROBE branch i: reveal its answer at the current depth.

        Free when kappa_probe is 0 (the step already revealed it) and for a
        finished branch; otherwise charges kappa_probe tokens.
        """
        if type(i) is not int or not 0 <= i < self._n:
            raise self._unknown(i)
        if self._pruned[i]:
            raise IllegalAction(f"branch {i} is pruned; it cannot be probed")
        if self._kappa and not self._fin[i]:
            self._cost += self._kappa
            self._latest[i] = self._seen[i]
        return self._latest[i]

    def probe_many(self, ids: Iterable[int]) -> list[str | None]:
        return [self.probe(i) for i in ids]

    def prune(self, i: int) -> None:
        """PRUNE branch i: it will not be stepped again; its cost stays counted."""
        self._check(i)
        if self._pruned[i]:
            raise IllegalAction(f"branch {i} is already pruned")
        self._pruned[i] = True
        self._done[i] = True

    def read_full(self) -> str:
        """Open the next branch and read it whole: costs its full length and
        reveals only its final answer."""
        i = self._n
        if i >= self._limit:
            raise NoBranchesLeft(f"all {self._limit} branches are already opened")
        self._n = i + 1
        self._bind(i)
        self._depth.append(self._nprobes[i] + 1)
        self._done.append(True)
        self._fin.append(True)
        self._pruned.append(False)
        a = self._finals[i]
        self._latest.append(a)
        self._seen.append(a)
        self._cost += self._tokens[i]
        return a

    def _bind(self, i: int) -> None:
        """Attach the data of the branch shown at position i of the order."""
        b = self._order[i]
        answers, finals, nprobes, tokens = self._table
        self._answers.append(answers[b])
        self._finals.append(finals[b])
        self._nprobes.append(nprobes[b])
        self._tokens.append(tokens[b])

    # ---- errors ----------------------------------------------------------
    def _check(self, i: int) -> None:
        if not (type(i) is int and 0 <= i < self._n):
            raise self._unknown(i)

    def _unknown(self, i: object) -> IllegalAction:
        return IllegalAction(f"unknown branch id {i!r}; opened ids are 0..{self._n - 1}")

    def _refuse_step(self, i: int) -> None:
        self._check(i)
        if self._pruned[i]:
            raise IllegalAction(f"branch {i} is pruned; it cannot be advanced")
        raise IllegalAction(f"branch {i} is finished; it cannot be advanced")
