"""One memory budget shared by every sandboxed job of an evaluation: the sum of
resident memory of all their processes (each job's whole process tree) is
checked a few times a second, and the job holding the most is stopped when
the sum passes the cap. RLIMIT_AS caps each process; this caps the total, so
``workers`` jobs cannot together take the machine."""

from __future__ import annotations

import os
import threading
import time


def _children() -> dict[int, list[int]]:
    """Map ppid -> child pids, read from /proc."""
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read().decode("ascii", "replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.setdefault(ppid, []).append(int(entry))
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError, IndexError):
        return 0


def tree_rss_mb(root: int, children: dict[int, list[int]] | None = None) -> float:
    """Resident memory of ``root`` and all its descendants, in MB."""
    children = _children() if children is None else children
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _rss_kb(pid)
        stack.extend(children.get(pid, ()))
    return total / 1024


class MemoryBudget:
    """Total memory cap across the jobs registered with it."""

    def __init__(self, total_mb: int, interval_s: float = 0.5):
        self.total_mb, self.interval_s = total_mb, interval_s
        self._lock = threading.Lock()
        self._jobs: set[int] = set()
        self._usage: dict[int, float] = {}
        self._checked = 0.0

    def register(self, pid: int) -> None:
        with self._lock:
            self._jobs.add(pid)

    def unregister(self, pid: int) -> None:
        with self._lock:
            self._jobs.discard(pid)
            self._usage.pop(pid, None)

    def over(self, pid: int) -> bool:
        """True when the total is past the cap and ``pid``'s job holds the most."""
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= self.interval_s:
                self._checked = now
                kids = _children()
                self._usage = {p: tree_rss_mb(p, kids) for p in self._jobs}
            usage = self._usage
            if sum(usage.values()) <= self.total_mb or pid not in usage:
                return False
            return max(usage, key=usage.get) == pid
