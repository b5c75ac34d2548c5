"""Built-in controllers, listed (and imported on demand) in ``registry.py``."""

from autotts.controllers.base import Controller
from autotts.controllers.registry import CONTROLLERS, available, make

__all__ = ["CONTROLLERS", "Controller", "available", "make"]
