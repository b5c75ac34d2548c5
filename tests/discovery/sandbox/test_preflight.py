"""The preflight names the hidden folders when they, and nothing else, stop a
job from starting (under bubblewrap a mask over the autotts package hides it)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import autotts
from autotts.discovery.sandbox.boundary import detect_isolation
from autotts.discovery.sandbox.evaluate import SandboxSettings
from autotts.discovery.sandbox.preflight import SandboxUnavailable, preflight
from autotts.discovery.sandbox.process import Limits

PACKAGE = Path(autotts.__file__).resolve().parent


@pytest.fixture
def bwrap():
    iso = detect_isolation("auto")
    if iso.mode != "bwrap":
        pytest.skip("bubblewrap does not start here")
    return iso


def test_hiding_the_package_is_named_as_the_cause(bwrap):
    with pytest.raises(SandboxUnavailable, match="not with these folders hidden") as err:
        preflight(SandboxSettings(Limits(cpu_s=60), bwrap, hide=(PACKAGE,)))
    assert str(PACKAGE) in str(err.value) and "No round was started" in str(err.value)


def test_hiding_the_environment_or_the_package_parent_still_runs(bwrap, tmp_path):
    # the mask is laid first and what the job needs inside it is bound again over it
    hide = (Path(sys.prefix), PACKAGE.parent, tmp_path / "run")
    (tmp_path / "run").mkdir()
    assert preflight(SandboxSettings(Limits(cpu_s=60), bwrap, hide=hide)) > 0
