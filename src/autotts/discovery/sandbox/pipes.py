"""Reading a sandboxed child's pipes: every byte through pipes the parent
holds, each kept up to a cap (the rest drained and counted, or, for the
result, a failure), until EOF and exit or a deadline, so no FIFO, symlink or
endless writer can block or flood the parent."""

from __future__ import annotations

import os
import selectors
import subprocess
import time

from autotts.discovery.sandbox.memory_cap import MemoryBudget


class Sink:
    """Bytes from one pipe, kept up to ``cap``; the rest is drained and counted."""

    def __init__(self, cap: int, fatal: bool = False):
        self.cap, self.data, self.dropped, self.eof = cap, bytearray(), 0, False
        self.fatal = fatal  # past the cap the job fails (the result) instead of dropping

    def feed(self, chunk: bytes) -> None:
        room = self.cap - len(self.data)
        self.data += chunk[:max(room, 0)]
        self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        return self.data.decode("utf-8", "replace") + (
            f"\n[... {self.dropped} bytes of output dropped]" if self.dropped else "")


def exited(pid: int) -> bool:
    """Has ``pid`` exited? (without reaping it, so its CPU usage can still be read)"""
    try:
        return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def pump(proc: subprocess.Popen, sinks: dict[int, Sink], deadline: float,
          budget: MemoryBudget | None) -> str | None:
    """Read every pipe until EOF on all and the process exited, or a limit hit.

    Returns None, "wall" (backstop passed), "result" (result over its cap) or
    "memory" (the workers' total memory cap was passed by this job).
    """
    sel = selectors.DefaultSelector()
    for fd in sinks:
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    grace: float | None = None
    try:
        while True:
            now = time.monotonic()
            if now > deadline:
                return "wall"
            if budget is not None and budget.over(proc.pid):
                return "memory"
            open_fds = [fd for fd, s in sinks.items() if not s.eof]
            if exited(proc.pid):
                # the worker exited: its pipes close at once unless a leftover holds them
                grace = grace or now + 2.0
                if not open_fds or now > grace:
                    return None
            for key, _ in sel.select(timeout=0.2):
                fd = key.fd
                try:
                    chunk = os.read(fd, 1 << 16)
                except BlockingIOError:
                    continue
                if not chunk:
                    sinks[fd].eof = True
                    sel.unregister(fd)
                    continue
                sinks[fd].feed(chunk)
                if sinks[fd].dropped and sinks[fd].fatal:
                    return "result"
    finally:
        sel.close()
