"""LiveEpisode: the replay :class:`~autotts.env.episode.Episode` API backed by a model.

Every registered controller runs on it unchanged. BRANCH opens branch
``n_opened`` and decodes its first interval; CONTINUE decodes one more Δ-token
interval; with ``probe_on_step`` (the default, like replay at
``kappa_probe=0``) every unfinished step is followed by a probe whose answer
it reveals, otherwise steps reveal nothing and PROBE sends the probe
request. ``cost`` counts generated branch tokens, as the stores do; probe
tokens are counted apart in ``probe_tokens``.

The batch forms (``open_many``, ``advance``, ``probe_many``) decode their
branches concurrently (``asyncio.gather`` under a semaphore); single
``step(i)`` calls run one at a time. The episode keeps a trace of events in
the format of :mod:`autotts.evaluation.traces`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Iterable
from typing import TypeVar

from autotts.env.episode import IllegalAction, NoBranchesLeft
from autotts.live.backend import Backend
from autotts.live.decode import BranchState, DecodeConfig, decode_interval, probe

T = TypeVar("T")


class LiveEpisode:
    """One question answered live. ``runner`` lets several episodes share
    one event loop (and so one HTTP connection pool)."""

    def __init__(self, backend: Backend, question: str, config: DecodeConfig, *,
                 max_branches: int = 64, concurrency: int = 64, probe_on_step: bool = True,
                 key: str = "q", runner: asyncio.Runner | None = None):
        self._backend, self._cfg, self._key = backend, config, key
        self._prompt = backend.render(question)
        self._suffix = backend.encode(config.probe_suffix)
        self._limit, self._eager = max_branches, probe_on_step
        self._concurrency = max(1, concurrency)
        self._sem: asyncio.Semaphore | None = None
        self._own_runner = runner is None
        self._runner = runner or asyncio.Runner()
        self._b: list[BranchState] = []
        self._pruned: list[bool] = []
        self._latest: list[str | None] = []
        self._probed_at: list[int] = []
        self._cost = 0
        self.probe_tokens = 0
        self.events: list[list] = []
        self._t0 = time.perf_counter()

    # ---- read-only state (same names as Episode) ---------------------------
    @property
    def delta(self) -> int:
        return self._cfg.delta

    @property
    def cost(self) -> int:
        """Branch tokens generated so far (probe tokens are in ``probe_tokens``)."""
        return self._cost

    @property
    def n_opened(self) -> int:
        return len(self._b)

    @property
    def max_branches(self) -> int:
        return self._limit

    @property
    def branches_left(self) -> int:
        return self._limit - len(self._b)

    @property
    def wall_s(self) -> float:
        return time.perf_counter() - self._t0

    def depth(self, i: int) -> int:
        return self._check(i).depth

    def is_finished(self, i: int) -> bool:
        return self._check(i).finished

    def is_pruned(self, i: int) -> bool:
        self._check(i)
        return self._pruned[i]

    def latest(self, i: int) -> str | None:
        self._check(i)
        return self._latest[i]

    # These views mirror the replay Episode's on purpose: both implement the
    # EpisodeAPI Protocol (autotts.env.api), each over its own state (live branches here).
    @property
    def depths(self) -> tuple[int, ...]:
        return tuple(b.depth for b in self._b)

    @property
    def finished(self) -> tuple[bool, ...]:
        return tuple(b.finished for b in self._b)

    @property
    def pruned(self) -> tuple[bool, ...]:
        return tuple(self._pruned)

    @property
    def answers(self) -> tuple[str | None, ...]:
        return tuple(self._latest)

    def active(self) -> list[int]:
        return [i for i, b in enumerate(self._b) if not b.finished and not self._pruned[i]]

    def final_answers(self) -> list[str]:
        return [b.final for b in self._b if b.finished and b.final is not None]

    def note(self, text: str) -> None:
        self.events.append(["note", text])

    # ---- actions -------------------------------------------------------------
    def open(self) -> int:
        """BRANCH: open the next branch and decode its first interval; returns its id."""
        return self.open_many(1)[0] if self.branches_left > 0 else self._no_branch()

    def open_many(self, k: int) -> list[int]:
        """BRANCH up to k times, decoding the new branches concurrently; returns their ids."""
        ids = [self._new_branch() for _ in range(max(0, min(k, self.branches_left)))]
        self._gather(self._step(i, "open") for i in ids)
        return ids

    def step(self, i: int) -> str | None:
        """CONTINUE branch i one interval; returns the revealed answer."""
        self._check_steppable(i)
        return self._run(self._step(i, "step"))

    def advance(self, ids: Iterable[int], steps: int = 1) -> list[str | None]:
        """CONTINUE each branch up to ``steps`` intervals (stopping when it
        finishes), all branches concurrently; returns their latest answers."""
        ids = list(ids)
        for i in ids:
            self._check_steppable(i)
        return self._gather(self._steps(i, steps) for i in ids)

    def probe(self, i: int) -> str | None:
        """PROBE branch i: its answer at the current depth (a request only when
        steps do not probe and this depth was not probed yet)."""
        return self.probe_many([i])[0]

    def probe_many(self, ids: Iterable[int]) -> list[str | None]:
        ids = list(ids)
        for i in ids:
            self._check(i)
            if self._pruned[i]:
                raise IllegalAction(f"branch {i} is pruned; it cannot be probed")
        return self._gather(self._probe(i) for i in ids)

    def prune(self, i: int) -> None:
        """PRUNE branch i: it will not be decoded again; its cost stays counted."""
        self._check(i)
        if self._pruned[i]:
            raise IllegalAction(f"branch {i} is already pruned")
        self._pruned[i] = True
        self.events.append(["prune", i])

    def read_full(self) -> str:
        """Open the next branch and decode it whole with no probes; returns its final answer."""
        if self.branches_left <= 0:
            self._no_branch()
        i = self._new_branch()
        br = self._b[i]
        # Interval by interval (no probes), so a read branch is the very branch
        # that stepping would have produced, as in a collected store.
        while not br.finished:
            self._cost += self._run(decode_interval(self._backend, self._prompt, br, self._cfg))
        self._latest[i] = br.final
        self.events.append(["read", i, br.final])
        return br.final

    def close(self) -> None:
        """Close the event loop if this episode made it."""
        if self._own_runner:
            self._runner.run(self._backend.aclose())
            self._runner.close()

    # ---- internals -------------------------------------------------------------
    async def _step(self, i: int, kind: str) -> str | None:
        br = self._b[i]
        async with self._semaphore():
            # Not `self._cost += await ...`: that reads _cost before the await
            # and would drop the tokens of concurrently finishing branches.
            n = await decode_interval(self._backend, self._prompt, br, self._cfg)
            self._cost += n
            if br.finished:
                self._latest[i] = br.final
            elif self._eager:
                await self._probe_locked(i)
        revealed = self._latest[i] if br.finished or self._eager else None
        self.events.append([kind, i, revealed, br.finished])
        return revealed

    async def _steps(self, i: int, steps: int) -> str | None:
        for _ in range(steps):
            await self._step(i, "step")
            if self._b[i].finished:
                break
        return self._latest[i]

    async def _probe(self, i: int) -> str | None:
        br = self._b[i]
        if br.finished or self._probed_at[i] == br.depth:
            return self._latest[i]
        async with self._semaphore():
            await self._probe_locked(i)
        self.events.append(["probe", i, self._latest[i]])
        return self._latest[i]

    async def _probe_locked(self, i: int) -> None:
        br = self._b[i]
        before = br.probe_tokens
        self._latest[i] = await probe(self._backend, self._prompt, br, self._suffix, self._cfg)
        br.probes.append(self._latest[i])
        self._probed_at[i] = br.depth
        self.probe_tokens += br.probe_tokens - before

    def _semaphore(self) -> asyncio.Semaphore:
        if self._sem is None:  # made inside the running loop
            self._sem = asyncio.Semaphore(self._concurrency)
        return self._sem

    def _run(self, coro: Awaitable[T]) -> T:
        return self._runner.run(coro)

    def _gather(self, coros: Iterable[Awaitable[T]]) -> list[T]:
        async def all_of(cs):
            return list(await asyncio.gather(*cs))
        coros = list(coros)
        return self._run(all_of(coros)) if coros else []

    def _new_branch(self) -> int:
        i = len(self._b)
        self._b.append(BranchState(key=f"{self._key}/{i}"))
        self._pruned.append(False)
        self._latest.append(None)
        self._probed_at.append(-1)
        return i

    def _no_branch(self):
        raise NoBranchesLeft(f"all {self._limit} branches are already opened")

    def _check(self, i: int) -> BranchState:
        if not (isinstance(i, int) and 0 <= i < len(self._b)):
            raise IllegalAction(f"unknown branch id {i!r}; opened ids are 0..{len(self._b) - 1}")
        return self._b[i]

    def _check_steppable(self, i: int) -> None:
        br = self._check(i)
        if self._pruned[i]:
            raise IllegalAction(f"branch {i} is pruned; it cannot be advanced")
        if br.finished:
            raise IllegalAction(f"branch {i} is finished; it cannot be advanced")

    def __enter__(self) -> LiveEpisode:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
