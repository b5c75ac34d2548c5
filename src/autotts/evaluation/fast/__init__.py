"""Fast, exact evaluation paths for the built-in controllers.

:func:`fast_block` evaluates SC, ASC, ESC, short-m@k (vectorised numpy over all seeds),
CMC and Parallel-Probe (numba kernels when the ``[fast]`` extra is installed,
the same kernels as plain Python otherwise) and returns the per-seed block the
protocol loop would produce; :func:`to_result` turns blocks into an
:class:`~autotts.evaluation.protocol.EvalResult`. The protocol path in
:mod:`autotts.evaluation.protocol` stays the readable reference; the tests
check every field against it.
"""

from autotts.evaluation.fast.dispatch import fast_block, has_fast_path
from autotts.evaluation.fast.jit import numba_enabled
from autotts.evaluation.protocol import (
           SeedBlock,
           merge_blocks,
           protocol_block,
           to_result,
)

__all__ = ["SeedBlock", "fast_block", "has_fast_path", "merge_blocks", "numba_enabled",
           "protocol_block", "to_result"]
