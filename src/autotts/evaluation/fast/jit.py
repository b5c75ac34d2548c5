"""Optional numba compilation with a plain-Python fallback.

A kernel is written once, in the subset of Python that numba compiles, and
indexes flat sequences only. :func:`kernel` returns an object holding both
versions: ``.py`` (the source function, run on Python lists) and ``.compiled``
(numba's, run on numpy arrays; ``None`` without numba). Set
``AUTOTTS_NO_NUMBA=1`` to force the plain-Python version.

numba's on-disk cache is keyed on the kernel's own file, by its contents (numba
0.68 hashes the source; touching it changes nothing): after editing a helper in
another module (e.g. ``episode_ops.py``), delete ``fast/__pycache__`` so the
kernels are recompiled.

Start-up: when numba's CPU target first starts it imports ``scipy.linalg``
(about 0.3 s, more than a one-setting evaluation) only to offer ``np.dot``
and ``np.linalg`` inside compiled code. The kernels here use neither, so the
command line sets ``AUTOTTS_LEAN_NUMBA=1`` and the target then starts without
scipy's BLAS (:func:`start_target`). Library users keep numba's default
unless they set it too: a process that also compiles its own linear algebra
must not.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

try:  # numba is the optional [fast] extra
    import numba as _numba
except ImportError:  # pragma: no cover - exercised where numba is absent
    _numba = None


_START = threading.Lock()  # threads that first need a kernel together start the target once
LEAN_ENV = "AUTOTTS_LEAN_NUMBA"  # set by autotts.cli.main (inherited by its workers)
_BLAS_MODULE = "scipy.linalg.cython_blas"


def start_target() -> None:
    """Under ``$AUTOTTS_LEAN_NUMBA``, start numba's CPU target now without importing
    scipy's BLAS (numba then reports linear algebra as unavailable in compiled code)."""
    if os.environ.get(LEAN_ENV, "") in ("", "0") or "numba.np.arraymath" in sys.modules:
        return
    from numba.core.registry import cpu_target

    saved = sys.modules.get(_BLAS_MODULE)
    sys.modules[_BLAS_MODULE] = None  # makes `import scipy.linalg.cython_blas` fail
    try:
        cpu_target.target_context.refresh()  # imports numba.np.arraymath and the rest
    finally:
        if saved is None:
            del sys.modules[_BLAS_MODULE]
        else:
            sys.modules[_BLAS_MODULE] = saved


def numba_enabled() -> bool:
    """True when numba is installed and not switched off by ``AUTOTTS_NO_NUMBA``."""
    return _numba is not None and os.environ.get("AUTOTTS_NO_NUMBA", "") in ("", "0")


@dataclass
class Kernel:
    """A kernel's plain-Python source and, lazily, its numba compilation."""

    py: Callable[..., Any]
    nrt: bool = True  # False: no reference counting (the kernel must allocate nothing)
    _compiled: Callable[..., Any] | None = None

    @property
    def compiled(self) -> Callable[..., Any] | None:
        """The numba version (compiled on first use, cached on disk); None without numba."""
        if self._compiled is None and numba_enabled():
            with _START:
                if self._compiled is None:
                    # cache=True: later processes load the machine code instead of
                    # recompiling. fastmath stays off so every float operation rounds
                    # exactly as in Python.
                    start_target()
                    self._compiled = _numba.njit(cache=True, nogil=True,
                                                 _nrt=self.nrt)(self.py)
        return self._compiled


def kernel(fn: Callable[..., Any] | None = None, *, nrt: bool = True):
    """Decorator: register ``fn`` as a kernel (see the module docstring); ``@kernel``
    or ``@kernel(nrt=False)`` for one that allocates nothing (numba then counts no
    references: every array a call or an inlined helper binds costs two atomic
    operations otherwise)."""
    if fn is None:
        return lambda f: Kernel(f, nrt)
    return Kernel(fn, nrt)


def _identity(fn: Callable[..., Any]) -> Callable[..., Any]:
    return fn


# Helpers called from kernels: plain functions from Python, inlined by numba
# when a compiled kernel calls them.
if _numba is not None:
    from numba.extending import register_jitable as helper
else:  # pragma: no cover - exercised where numba is absent
    helper = _identity
