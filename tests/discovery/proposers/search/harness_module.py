"""The search harness lives in bench/ (it is not part of the package); load it by path."""

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[4] / "bench" / "search_harness.py"
_spec = importlib.util.spec_from_file_location("search_harness", _PATH)
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)
run_search, store_file = harness.run_search, harness.store_file
