"""The package's expected errors: failures a user can act on, not bugs.

The command line prints any :class:`AutoTTSError` as one line (what is wrong
and what to do) and exits with its ``exit_code``: 2 for bad usage, i.e. what
the user wrote (an option, a parameter value, a store name, a sweep spec or
run config: :class:`InputError`), 1 for failures of what the world provides
(a download, a broken store file, a busy or foreign run directory).
``--debug`` or ``AUTOTTS_DEBUG=1`` shows the traceback instead. Library
callers catch them as usual; each concrete error also derives from the
builtin it always was (``ValueError``, ``RuntimeError``).
"""

from __future__ import annotations


class AutoTTSError(Exception):
    """An expected failure; ``str(exc)`` says what is wrong and what to do."""

    exit_code = 1


class InputError(AutoTTSError):
    """The user's input (an option, a parameter, a config or spec file) is wrong."""

    exit_code = 2
