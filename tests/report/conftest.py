"""Fixtures for the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.toydata import toy_data_dir


@pytest.fixture
def toy_data(tmp_path) -> Path:
    """A data directory with two toy stores, Toy/set and Toy/other."""
    return toy_data_dir(tmp_path / "data")
