"""Executors: run a list of picklable tasks, return the results in task order.

- ``serial``: in this process (no start-up cost; the default for one worker);
- ``process``: a local process pool (``workers`` processes);
- ``ray``: Ray tasks, for sweeps that outgrow one machine (the optional
  ``[ray]`` extra). Connects to ``RAY_ADDRESS`` when set, else starts or
  reuses a local Ray instance.

Results are put back in task order whatever order tasks finish in, so callers
that merge them in that order get the same answer for any executor and any
worker count.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from autotts import install_hint
from autotts.errors import AutoTTSError

if TYPE_CHECKING:  # imported on first use: multiprocessing costs start-up time
    from concurrent.futures import ProcessPoolExecutor

EXECUTORS = ("serial", "process", "ray")


class Executor(Protocol):
    """Anything with ``map(fn, tasks, on_done) -> results in task order``."""

    def map(self, fn: Callable[[Any], Any], tasks: Sequence[Any],
            on_done: Callable[[], None] | None = None) -> list[Any]: ...


class SerialExecutor:
    """Run every task in this process, in order."""

    workers = 1

    def map(self, fn, tasks, on_done=None):
        out = []
        for task in tasks:
            out.append(fn(task))
            if on_done:
                on_done()
        return out


class ProcessExecutor:
    """A local pool of ``workers`` processes, kept for later calls: its workers
    keep their loaded stores and compiled kernels, so a sweep that calls
    ``run_cells`` batch after batch pays process start-up once."""

    def __init__(self, workers: int):
        self.workers = max(1, workers)

    def map(self, fn, tasks, on_done=None):
        if self.workers == 1 or len(tasks) <= 1:
            return SerialExecutor().map(fn, tasks, on_done)
        from concurrent.futures import as_completed

        pool = shared_pool(self.workers)
        results: list[Any] = [None] * len(tasks)
        futures = {pool.submit(fn, task): k for k, task in enumerate(tasks)}
        try:
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                if on_done:
                    on_done()
        except BaseException:  # a failed task or Ctrl-C: drop the pool, do not reuse it
            for fut in futures:
                fut.cancel()
            close_pools()
            raise
        return results


_POOLS: dict[int, ProcessPoolExecutor] = {}


def shared_pool(workers: int) -> ProcessPoolExecutor:
    """The calling process's pool of ``workers`` processes, created on first use."""
    pool = _POOLS.get(workers)
    if pool is None:
        close_pools()  # one pool at a time: the machine has only so many cores
        from concurrent.futures import ProcessPoolExecutor

        pool = _POOLS[workers] = ProcessPoolExecutor(max_workers=workers)
        # shut down while the interpreter is whole: a pool collected during
        # teardown prints "Exception ignored in ... weakref_cb"
        atexit.unregister(close_pools)
        atexit.register(close_pools)
    return pool


def close_pools() -> None:
    """Shut down the shared process pools (they also close at interpreter exit)."""
    while _POOLS:
        _, pool = _POOLS.popitem()
        pool.shutdown(wait=True, cancel_futures=True)


class RayUnavailable(AutoTTSError, RuntimeError):
    """Ray is not installed, or the cluster at the given address cannot be reached."""


def _check_reachable(address: str) -> None:
    """Fail at once when nothing listens at a ``host:port`` address (``ray.init``
    would retry for minutes); other forms (``auto``, ``ray://``) go to Ray as given."""
    import socket

    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit() or "/" in host:
        return
    try:
        socket.create_connection((host, int(port)), timeout=5).close()
    except OSError as exc:
        raise RayUnavailable(f"no Ray cluster answers at {address} ({exc.strerror or exc}); "
                             "start one with `ray start --head` or fix --ray-address") from None


class RayExecutor:
    """Ray tasks (one CPU each). Uses a running Ray instance when there is one,
    else connects to ``address`` (or ``RAY_ADDRESS``), else starts a local one.
    A task whose node dies is run again elsewhere (``max_retries``); tasks are
    pure functions of their arguments, so a retry gives the same result."""

    def __init__(self, workers: int | None = None, address: str | None = None,
                 max_retries: int = 3):
        try:
            import ray
        except ImportError:
            raise RayUnavailable(f"the ray executor needs Ray: {install_hint('ray')}") from None
        self._ray = ray
        self.max_retries = max_retries
        if not ray.is_initialized():
            address = address or os.environ.get("RAY_ADDRESS")
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address:
                _check_reachable(address)
            try:
                if address:
                    ray.init(address=address, **kwargs)
                else:
                    ray.init(num_cpus=workers, **kwargs)
            except (ConnectionError, RuntimeError) as exc:
                raise RayUnavailable(f"cannot connect to Ray at {address or 'a local start'}: "
                                     f"{exc}") from None
        self.workers = workers or int(ray.cluster_resources().get("CPU", 1))

    def map(self, fn, tasks, on_done=None):
        ray = self._ray
        remote = ray.remote(num_cpus=1, max_retries=self.max_retries)(fn)
        refs = [remote.remote(task) for task in tasks]
        index = {ref: k for k, ref in enumerate(refs)}
        results: list[Any] = [None] * len(tasks)
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                results[index[ref]] = ray.get(ref)
                if on_done:
                    on_done()
        return results


def make_executor(name: str = "process", workers: int = 1,
                  address: str | None = None) -> Executor:
    """The executor called ``name`` (one of :data:`EXECUTORS`) with ``workers``
    workers; ``address``: the Ray cluster to use (``ray`` only)."""
    if name == "serial":
        return SerialExecutor()
    if name == "process":
        return ProcessExecutor(workers)
    if name == "ray":
        return RayExecutor(workers, address)
    raise ValueError(f"unknown executor {name!r}; choose one of: {', '.join(EXECUTORS)}")
