"""The preflight refuses, with the folder named, a hidden folder that holds
what every job runs (under bubblewrap its mask would hide the interpreter)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import autotts
from autotts.discovery.sandbox.boundary import Isolation
from autotts.discovery.sandbox.evaluate import SandboxSettings
from autotts.discovery.sandbox.preflight import SandboxUnavailable, hidden_clash, preflight
from autotts.discovery.sandbox.process import Limits

BWRAP = Isolation("bwrap", network_cut=True, filesystem_hidden=True, pid_namespace=True,
                  capabilities_dropped=True)
WEAK = Isolation("unshare", network_cut=True, filesystem_hidden=False, pid_namespace=True)


def _settings(iso, *hide):
    return SandboxSettings(Limits(cpu_s=60), iso, hide=tuple(Path(h) for h in hide))


def test_hiding_the_python_environment_stops_before_any_job():
    with pytest.raises(SandboxUnavailable, match="No round was started") as err:
        preflight(_settings(BWRAP, sys.prefix))
    assert str(Path(sys.prefix)) in str(err.value)


def test_hiding_a_folder_above_the_package_names_it():
    package = Path(autotts.__file__).resolve().parent
    msg = hidden_clash(_settings(BWRAP, package.parent))
    assert msg is not None and str(package.parent) in msg


def test_folders_inside_the_environment_or_elsewhere_are_fine(tmp_path):
    inside = Path(sys.prefix) / "share" / "some-stores"   # masked, the rest re-bound
    assert hidden_clash(_settings(BWRAP, inside, tmp_path / "run")) is None


def test_the_weak_modes_hide_nothing_so_nothing_clashes():
    assert hidden_clash(_settings(WEAK, sys.prefix)) is None
