"""One place that turns expected errors into one line and an exit code.

A user's mistake or the world's (a bad value, an unreachable server, an
unreadable file, a run directory from another version) is printed as
``Error: <what is wrong and what to do>``; the exit code is 2 for bad usage
or input and 1 for failures. Anything else is a bug and keeps its traceback.
``--debug`` or ``AUTOTTS_DEBUG=1`` re-raises everything, traceback included.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import click

from autotts.errors import AutoTTSError

DEBUG_ENV = "AUTOTTS_DEBUG"


class CommandError(click.ClickException):
    """A one-line error with its own exit code (click prints ``Error: message``)."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def debug_enabled(flag: bool = False) -> bool:
    """True when ``--debug`` was given or ``$AUTOTTS_DEBUG`` is set to a true value."""
    return flag or os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "false", "no")


def describe(exc: BaseException) -> tuple[str, int] | None:
    """(one-line message, exit code) for an expected error, None for anything else."""
    if isinstance(exc, AutoTTSError):
        return _one_line(str(exc)), exc.exit_code
    if isinstance(exc, OSError) and exc.filename is not None:
        what = exc.strerror or type(exc).__name__
        return (f"{exc.filename}: {what.lower()}; check the path and its permissions", 1)
    if isinstance(exc, OSError):
        # network errors (urllib's URLError is an OSError) and the like
        return _one_line(f"{type(exc).__name__}: {exc}"), 1
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(exc, BrokenProcessPool):
        return ("a worker process died (killed, or out of memory?); run again, or with "
                "fewer --workers", 1)
    return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


@contextmanager
def handle_errors(debug: bool = False) -> Iterator[None]:
    """Run a command's body; expected errors leave as :class:`CommandError`."""
    try:
        yield
    except click.ClickException:
        raise
    except Exception as exc:
        found = describe(exc)
        if found is None or debug_enabled(debug):
            raise
        message, code = found
        raise CommandError(message, code) from None
