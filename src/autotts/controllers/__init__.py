"""Built-in controllers. Importing this package registers them all."""

from autotts.controllers import (  # noqa: F401  (imported for registration)
    adaptive_consistency,
    answer_consistency,
    cmc,
    cmc_double_step,
    early_stopping,
    parallel_probe,
    self_consistency,
    short_mk,
    st_bon,
)
from autotts.controllers.base import Controller, available, make, register

__all__ = ["Controller", "available", "make", "register"]
