"""The built-in controllers by id, each imported only when it is asked for.

``make("sc", n=64)`` builds one; ``available()`` imports and lists them all.
A controller class carries its id as ``name``; tests check that each entry's
class says the id it is registered under.
"""

from __future__ import annotations

from typing import Any

from autotts.controllers.base import Controller, check_params, param_fields
from autotts.registry import Registry

#: id -> "module:Class" of every built-in controller.
CONTROLLERS = Registry("controller", {
    "answer-consistency": "autotts.controllers.answer_consistency:AnswerConsistency",
    "asc": "autotts.controllers.adaptive_consistency:AdaptiveConsistency",
    "cmc": "autotts.controllers.cmc:CMC",
    "cmc-double-step": "autotts.controllers.cmc_double_step:CMCDoubleStep",
    "esc": "autotts.controllers.early_stopping:EarlyStoppingConsistency",
    "momentum-consensus": "autotts.controllers.momentum_consensus:MomentumConsensus",
    "parallel-probe": "autotts.controllers.parallel_probe:ParallelProbe",
    "sc": "autotts.controllers.self_consistency:SelfConsistency",
    "short-m@k": "autotts.controllers.short_mk:ShortMK",
    "short-m@k-beta": "autotts.controllers.short_mk:ShortMKBeta",
    "st-bon": "autotts.controllers.st_bon:SelfTruncationBoN",
})


def available() -> dict[str, type[Controller]]:
    """All built-in controllers by id (imports each of them)."""
    return CONTROLLERS.load_all()  # type: ignore[return-value]


def make(controller_id: str, **params: Any) -> Controller:
    """Build a built-in controller; unknown ids or parameter names raise KeyError."""
    cls = CONTROLLERS.load(controller_id)
    fields = param_fields(cls)
    unknown = sorted(set(params) - set(fields))
    if unknown:
        raise KeyError(f"controller {controller_id!r} has no parameter(s) {', '.join(unknown)}; "
                       f"its parameters are: {', '.join(fields) or '(none)'}")
    check_params(cls, params)
    return cls(**params)
