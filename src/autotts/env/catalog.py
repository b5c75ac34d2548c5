"""Moved to :mod:`autotts.data.catalog`; this alias keeps older imports working."""

from autotts.data.catalog import *  # noqa: F403
from autotts.data.catalog import CatalogError, StoreRef  # noqa: F401
