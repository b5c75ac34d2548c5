"""The run lock: one autotts process works on a run directory at a time."""

from __future__ import annotations

import fcntl
from pathlib import Path

from autotts.discovery.run.files import RunError


class RunLock:
    """An exclusive ``flock`` on RUN/run.lock; the OS drops it when the holder dies."""

    def __init__(self, run_dir: Path):
        self.path = run_dir / "run.lock"
        self.fh = None

    def __enter__(self) -> "RunLock":
        self.fh = self.path.open("a")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.close()
            raise RunError(f"{self.path.parent}: another autotts process is working on this run "
                           "(run.lock is held); wait for it or stop it first") from None
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()
