"""What the user sees while a discovery run works: one line per phase.

On a terminal a phase with several steps also draws a rich progress line (on
stderr, through :func:`autotts.progress.progress_bar`); otherwise (a log
file, CI) each phase prints one plain line when it starts and one when it
ends, with its wall time.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from autotts.progress import progress_bar


class Phases:
    """Reports phases through ``say`` (a print-like callable)."""

    def __init__(self, say: Callable[[str], None] = print, tty: bool | None = None):
        self.say = say
        self.tty = sys.stderr.isatty() if tty is None else tty

    @contextmanager
    def phase(self, label: str, total: int = 1) -> Iterator[Callable[..., None]]:
        """Yields ``advance(n=1, description=None)``; says the phase's start and end."""
        t0 = time.monotonic()
        self.say(f"{label}: {total} step{'s' if total != 1 else ''}..." if total > 1
                 else f"{label}...")
        with progress_bar(self.tty and total > 1, total, label) as advance:
            yield advance
        self.say(f"{label}: done in {time.monotonic() - t0:.0f} s")
