"""Progress bars for long work, built in one place (rich).

:func:`make_progress` is the one column layout: a label, a bar, then done/total
for counted work or size and speed for downloads, extra text fields, elapsed
and remaining time. :func:`progress_bar` wraps it for the common case of one
counted task (the runner and sweeps); downloads and live collection use
:func:`make_progress` directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # rich is imported only when a bar is drawn
    from rich.progress import Progress


def make_progress(*, unit: str = "items", fields: Sequence[str] = (), console: Any = None,
                  enabled: bool = True, transient: bool = True,
                  label_width: int = 36) -> Progress:
    """A rich ``Progress`` (a context manager; add tasks with ``add_task``).

    ``unit`` is ``"items"`` (shows done/total) or ``"bytes"`` (size and
    transfer speed); each name in ``fields`` shows ``task.fields[name]``;
    ``console`` defaults to rich's (stdout); ``enabled=False`` draws nothing.
    """
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    if unit not in ("items", "bytes"):
        raise ValueError(f"unit must be 'items' or 'bytes', got {unit!r}")
    label = "{task.description:<%d}" % label_width if label_width else "{task.description}"
    amount = [DownloadColumn(), TransferSpeedColumn()] if unit == "bytes" \
        else [MofNCompleteColumn()]
    columns = [TextColumn(label), BarColumn(), *amount,
               *(TextColumn("{task.fields[%s]}" % name) for name in fields),
               TimeElapsedColumn(), TimeRemainingColumn()]
    return Progress(*columns, console=console, disable=not enabled, transient=transient)


@contextmanager
def progress_bar(enabled: bool, total: int,
                 description: str) -> Iterator[Callable[..., None]]:
    """Yields ``advance(n=1, description=None)``: moves the bar on by ``n`` and
    optionally renames it. Drawn on stderr, so piped stdout stays clean."""
    if not enabled:
        yield lambda n=1, description=None: None
        return
    from rich.console import Console

    with make_progress(console=Console(stderr=True)) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1, description: str | None = None) -> None:
            bar.update(task, advance=n, **({"description": description} if description else {}))

        yield advance
